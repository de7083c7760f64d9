package server

import (
	"bytes"
	"html/template"
	"image/color"
	"math"
	"regexp"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts of the printable report, drawn by gonum/plot as SVG and
// inlined in the page: they print sharp, need no script and follow the
// export's language (labels, decimal commas).

var (
	inkBlue   = color.RGBA{0x1f, 0x5f, 0xa8, 0xff}
	inkOrange = color.RGBA{0xd9, 0x7a, 0x12, 0xff}
	inkGrey   = color.RGBA{0xb8, 0xbe, 0xc6, 0xff}
	inkRed    = color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	inkGreen  = color.RGBA{0x2e, 0x8b, 0x57, 0xff}
)

// chartFont is Liberation Sans, whose widths are Arial's: the browser
// draws the labels with Arial, Helvetica or Liberation Sans where gonum
// measured them.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with the report's fonts and sizes.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(chartFont, 10)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(chartFont, 8.5)
		ax.Tick.Label.Font = font.From(chartFont, 8)
	}
	return p
}

var (
	svgProlog    = regexp.MustCompile(`(?s)^.*?<svg `)
	svgFontStyle = regexp.MustCompile(`font-family:Liberation Sans;`)
)

// svgOf draws a plot at the given size and returns it as inline SVG. A
// chart that cannot be drawn (a bug) is left out rather than failing the
// whole report.
func svgOf(p *plot.Plot, w, h vg.Length, label string) (out template.HTML) {
	defer func() {
		if recover() != nil {
			out = ""
		}
	}()
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return ""
	}
	s := svgProlog.ReplaceAllString(buf.String(), `<svg role="img" aria-label="`+template.HTMLEscapeString(label)+`" `)
	s = svgFontStyle.ReplaceAllString(s, `font-family:'Liberation Sans',Arial,Helvetica,sans-serif;`)
	return template.HTML(s)
}

// labelled is a Ticker whose labels are written in the export's language.
func labelled(t plot.Ticker, format func(float64) string) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		ticks := t.Ticks(min, max)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = format(ticks[i].Value)
			}
		}
		return ticks
	})
}

// sprintAxis makes the X axis span the agenda's sprints, 0 (the start)
// to the last one planned, with a tick per sprint.
func sprintAxis(p *plot.Plot, sprints int, lang string) {
	p.X.Min, p.X.Max = 0, float64(max(sprints, 1))
	p.X.Label.Text = "Sprint"
	step := 1
	if sprints > 12 {
		step = 2
	}
	var ticks []plot.Tick
	for i := 0; i <= sprints; i += step {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: fmtNum(float64(i), lang)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
}

// metricSeries is one DORA metric of a company over its sprints.
type metricSeries struct {
	title, unit string
	ys          []float64 // sprint 0, 1, …, already in unit
	// log draws the Y axis on a logarithmic scale (figures spanning
	// orders of magnitude).
	log bool
}

// metricChart draws one metric over the sprints.
func metricChart(m metricSeries, sprints int, lang string) template.HTML {
	p := newPlot(m.title)
	sprintAxis(p, sprints, lang)
	p.Y.Label.Text = m.unit
	pts := make(plotter.XYs, len(m.ys))
	lo, hi := math.Inf(1), 0.0
	for i, y := range m.ys {
		pts[i] = plotter.XY{X: float64(i), Y: y}
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	format := func(v float64) string { return fmtNum(v, lang) }
	if m.log && lo > 0 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
		p.Y.Tick.Marker = logTicks(format)
	} else {
		p.Y.Min = 0
		p.Y.Max = math.Max(hi*1.1, 1e-9)
		p.Y.Tick.Marker = labelled(plot.DefaultTicks{}, format)
	}
	p.Add(plotter.NewGrid())
	if len(pts) > 0 {
		line, points, err := plotter.NewLinePoints(pts)
		if err == nil {
			line.Color, line.Width = inkBlue, vg.Points(1.5)
			points.Color, points.Shape, points.Radius = inkBlue, draw.CircleGlyph{}, vg.Points(2.2)
			p.Add(line, points)
		}
	}
	return svgOf(p, 8.4*vg.Centimeter, 5.6*vg.Centimeter, m.title)
}

// barGroup is one series of a grouped bar chart.
type barGroup struct {
	values []float64
	color  color.Color
}

// legendKey is one entry of a chart's legend, written in the page under
// the chart (class names a colour of the page's style sheet).
type legendKey struct {
	Class, Label string
}

// groupedBars draws horizontal bars per category (read from the top),
// one per group side by side.
func groupedBars(title, unit string, categories []string, groups []barGroup, xMax float64, lang string, w, h vg.Length) template.HTML {
	p := newPlot(title)
	p.X.Label.Text = unit
	p.X.Min, p.X.Max = 0, xMax
	p.X.Tick.Marker = labelled(plot.DefaultTicks{}, func(v float64) string { return fmtNum(v, lang) })
	p.Add(plotter.NewGrid())
	n := len(categories)
	bw := vg.Points(float64(h.Points()) * 0.5 / float64(max(1, n*len(groups))))
	for i, g := range groups {
		vals := make(plotter.Values, n)
		for j, x := range g.values {
			vals[n-1-j] = x
		}
		bars, err := plotter.NewBarChart(vals, bw)
		if err != nil {
			continue
		}
		bars.Horizontal = true
		bars.Color, bars.LineStyle.Width = g.color, 0
		// The first group above the second.
		bars.Offset = vg.Length(float64(len(groups)-1)/2-float64(i)) * bw
		p.Add(bars)
	}
	labels := make([]string, n)
	for j, c := range categories {
		labels[n-1-j] = c
	}
	p.NominalY(labels...)
	return svgOf(p, w, h, title)
}

// stackedStages draws the value stream: one horizontal bar per stage,
// its processing time then its waiting time, the bottleneck in red.
func stackedStages(title, unit string, stages []string, process, wait []float64, bottleneck int, w, h vg.Length, lang string) template.HTML {
	p := newPlot(title)
	p.X.Label.Text = unit
	p.X.Min = 0
	for i := range process {
		p.X.Max = math.Max(p.X.Max, 1.04*(process[i]+wait[i]))
	}
	p.X.Tick.Marker = labelled(plot.DefaultTicks{}, func(v float64) string { return fmtNum(v, lang) })
	p.Add(plotter.NewGrid())
	// Stages read from the top: the first one gets the highest Y.
	n := len(stages)
	rev := func(xs []float64) plotter.Values {
		out := make(plotter.Values, n)
		for i := range xs {
			out[n-1-i] = xs[i]
		}
		return out
	}
	bw := vg.Points(float64(h.Points()) * 0.55 / float64(max(1, n)))
	proc, err1 := plotter.NewBarChart(rev(process), bw)
	wt, err2 := plotter.NewBarChart(rev(wait), bw)
	if err1 != nil || err2 != nil {
		return ""
	}
	proc.Horizontal, wt.Horizontal = true, true
	proc.Color, wt.Color = inkBlue, inkGrey
	proc.LineStyle.Width, wt.LineStyle.Width = 0, 0
	wt.StackOn(proc)
	p.Add(proc, wt)
	if bottleneck >= 0 && bottleneck < n {
		// The bottleneck's waiting time, drawn over in red.
		only := make([]float64, n)
		only[bottleneck] = wait[bottleneck]
		red, err := plotter.NewBarChart(rev(only), bw)
		if err == nil {
			red.Horizontal, red.Color, red.LineStyle.Width = true, inkRed, 0
			red.StackOn(proc)
			p.Add(red)
		}
	}
	labels := make([]string, n)
	for i, s := range stages {
		labels[n-1-i] = s
	}
	p.NominalY(labels...)
	return svgOf(p, w, h, title)
}

// voteBars draws the motion votes before and after the debate: the
// share for and against, in percent, one bar per vote.
func voteBars(title string, rows []string, forPct, againstPct []float64, lang string) template.HTML {
	p := newPlot(title)
	p.X.Min, p.X.Max = 0, 100
	p.X.Label.Text = "%"
	p.X.Tick.Marker = labelled(plot.DefaultTicks{}, func(v float64) string { return fmtNum(v, lang) })
	n := len(rows)
	rev := func(xs []float64) plotter.Values {
		out := make(plotter.Values, n)
		for i := range xs {
			out[n-1-i] = xs[i]
		}
		return out
	}
	bw := vg.Points(16)
	yes, err1 := plotter.NewBarChart(rev(forPct), bw)
	no, err2 := plotter.NewBarChart(rev(againstPct), bw)
	if err1 != nil || err2 != nil {
		return ""
	}
	yes.Horizontal, no.Horizontal = true, true
	yes.Color, no.Color = inkGreen, inkOrange
	yes.LineStyle.Width, no.LineStyle.Width = 0, 0
	no.StackOn(yes)
	p.Add(yes, no)
	labels := make([]string, n)
	for i, r := range rows {
		labels[n-1-i] = r
	}
	p.NominalY(labels...)
	return svgOf(p, 14*vg.Centimeter, vg.Length(1.8+0.9*float64(n))*vg.Centimeter, title)
}

// logTicks marks the powers of ten between the axis' ends, labelled, and
// the 2…9 multiples between them, unlabelled.
func logTicks(format func(float64) string) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ticks []plot.Tick
		lo, hi := int(math.Floor(math.Log10(min)+1e-9)), int(math.Ceil(math.Log10(max)-1e-9))
		for e := lo; e <= hi; e++ {
			p := math.Pow(10, float64(e))
			if p >= min*(1-1e-9) && p <= max*(1+1e-9) {
				ticks = append(ticks, plot.Tick{Value: p, Label: format(p)})
			}
			for k := 2; k <= 9 && e < hi; k++ {
				if x := float64(k) * p; x > min && x < max {
					ticks = append(ticks, plot.Tick{Value: x})
				}
			}
		}
		return ticks
	})
}
