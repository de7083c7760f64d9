package e2e

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// Network weight, measured on a phone in Chromium on a classroom Wi-Fi's
// budget: what the first load of /play transfers (cold cache), and what a
// sprint's resolution and a snapshot weigh on the wire. The phone talks
// to the server through a loopback proxy that reads the WebSocket frames
// as they pass, compressed or not.
const (
	maxPlayLoad   = 90 << 10 // first load of /play, transferred
	maxResolution = 12 << 10 // a sprint's resolution, on the wire, per phone
	maxSnapshot   = 40 << 10 // a snapshot, on the wire, the retrospective's (the heaviest) included
)

func TestNetworkWeightOfAPhone(t *testing.T) {
	srv := startServer(t)
	px := startWireProxy(t, strings.TrimPrefix(srv.url, "http://"))
	b := newBrowser(t, "http://"+px.addr())
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg := startPlayedGame(ctx, t, srv, protocol.CreateGameRequest{Title: "Poids du réseau", Lang: "fr"})

	// The phone joins, then /play is loaded again with an empty cache:
	// what a phone that never saw the game downloads.
	p := b.newUser("Zoé", phone)
	p.open("/join?code=" + pg.g.Code)
	p.fill("nickname", "Zoé")
	p.click("Join the game")
	p.waitJS(`location.pathname === '/play' && !!window.dcSession && window.dcSession.status === 'online'`)
	loaded := p.transferred(func() {
		p.cacheDisabled(true)
		p.reload()
		p.waitJS(`!!window.dcSession && window.dcSession.status === 'online'`)
		p.cacheDisabled(false)
	})
	t.Logf("first load of /play: %s transferred in %d requests", kb(loaded.bytes), loaded.requests)
	if loaded.bytes > maxPlayLoad {
		t.Errorf("the first load of /play transfers %s, over %s: %v", kb(loaded.bytes), kb(maxPlayLoad), loaded.urls)
	}
	again := p.transferred(func() {
		p.reload()
		p.waitJS(`!!window.dcSession && window.dcSession.status === 'online'`)
	})
	t.Logf("/play again (cache kept): %s transferred in %d requests", kb(again.bytes), again.requests)
	pg.addIdle(3) // eight players in all

	pg.playWall()
	pg.playStudy()
	for pg.phaseKind() == game.KindSprints {
		var mark int
		pg.playSprintWith(func() { mark = px.mark() }, func() {
			v := pg.fac.Version()
			p.waitJS(fmt.Sprintf(`window.dcSession && window.dcSession.version >= %d`, v))
			res := px.since(mark)
			t.Logf("sprint %d resolution: %s on the wire in %d messages (%s once inflated; largest %s)",
				pg.sprint().Sprint, kb(res.wire), res.messages, kb(res.raw), kb(res.largest))
			// The resolution is one update (the largest of the window; the
			// others are the teams' "ready").
			if res.largest > maxResolution {
				t.Errorf("sprint %d: the resolution weighs %s on the wire, over %s", pg.sprint().Sprint, kb(res.largest), kb(maxResolution))
			}
			if pg.sprint().Sprint == 3 {
				// A phone that reconnects mid-game.
				mark := px.mark()
				p.reload()
				p.waitJS(`!!window.dcSession && window.dcSession.status === 'online'`)
				snap := px.firstSnapshot(mark)
				t.Logf("snapshot after sprint 3: %s on the wire (%s once inflated)", kb(snap.wire), kb(snap.raw))
				if snap.wire == 0 || snap.wire > maxSnapshot {
					t.Errorf("the snapshot after sprint 3 weighs %s on the wire, over %s", kb(snap.wire), kb(maxSnapshot))
				}
			}
		})
	}
	pg.playDebate()

	// The heaviest snapshot: the retrospective, after a reload.
	mark := px.mark()
	retro := p.transferred(func() {
		p.reload()
		p.waitJS(`!!window.dcSession && window.dcSession.status === 'online'`)
	})
	snap := px.firstSnapshot(mark)
	t.Logf("snapshot at the retrospective: %s on the wire (%s once inflated); the reload transferred %s over HTTP in %d requests",
		kb(snap.wire), kb(snap.raw), kb(retro.bytes), retro.requests)
	if snap.wire == 0 || snap.wire > maxSnapshot {
		t.Errorf("the snapshot at the retrospective weighs %s on the wire, over %s", kb(snap.wire), kb(maxSnapshot))
	}
	all := px.since(0)
	t.Logf("whole game, the phone's WebSocket: %s on the wire, %s once inflated, %d messages", kb(all.wire), kb(all.raw), all.messages)
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// addIdle joins n more players who only watch.
func (pg *playedGame) addIdle(n int) {
	h := &client.HTTP{BaseURL: pg.srv.url}
	for i := 0; i < n; i++ {
		j, err := h.Join(pg.ctx, pg.g.Code, fmt.Sprintf("watcher%d", i), "")
		if err != nil {
			pg.t.Fatal(err)
		}
		s, err := client.Connect(pg.ctx, client.Options{URLs: []string{pg.srv.url}, Token: j.PlayerToken, Reconnect: true, Compression: true})
		if err != nil {
			pg.t.Fatal(err)
		}
		pg.t.Cleanup(func() { s.Close() })
	}
}

// transfer is what a page downloaded over HTTP.
type transfer struct {
	bytes, requests int
	urls            []string
}

// transferred sums the bytes the user's tab received over HTTP (headers
// and bodies, as compressed on the wire) while do runs.
func (u *user) transferred(do func()) transfer {
	u.b.t.Helper()
	var mu sync.Mutex
	var tr transfer
	urls := map[network.RequestID]string{}
	pending := map[network.RequestID]bool{} // sent, not yet finished or failed
	idle := make(chan struct{}, 1)          // signalled when the last pending request ends
	settled := func() {
		if len(pending) == 0 {
			select {
			case idle <- struct{}{}:
			default:
			}
		}
	}
	ctx, cancel := context.WithCancel(u.ctx)
	defer cancel()
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls[e.RequestID] = e.Request.URL
			pending[e.RequestID] = true
		case *network.EventLoadingFailed:
			delete(pending, e.RequestID)
			settled()
		case *network.EventLoadingFinished:
			delete(pending, e.RequestID)
			settled()
			tr.bytes += int(e.EncodedDataLength)
			tr.requests++
			tr.urls = append(tr.urls, fmt.Sprintf("%s %d", urls[e.RequestID], int(e.EncodedDataLength)))
		}
	})
	if err != nil {
		u.b.t.Fatal(err)
	}
	do()
	// The last downloads finish (bounded: a request that never ends is
	// counted as far as it went).
	timeout := time.After(10 * time.Second)
wait:
	for {
		mu.Lock()
		n := len(pending)
		mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-idle:
		case <-timeout:
			break wait
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return tr
}

// cacheDisabled turns the tab's HTTP cache off or on.
func (u *user) cacheDisabled(off bool) {
	u.b.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: off})
		return err
	}))
}

// wireProxy forwards loopback connections to the server and reads the
// WebSocket frames the server sends through it.
type wireProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frames []wireFrame // every server frame of every WebSocket, in order
}

type wireFrame struct {
	wire       int // header and payload
	raw        int // payload once inflated
	compressed bool
	snapshot   bool
}

func startWireProxy(t *testing.T, target string) *wireProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	px := &wireProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go px.serve(c)
		}
	}()
	return px
}

func (px *wireProxy) addr() string { return px.ln.Addr().String() }

func (px *wireProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", px.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() { io.Copy(s, c); s.(*net.TCPConn).CloseWrite() }()
	var buf []byte
	ws, head := false, false
	chunk := make([]byte, 64<<10)
	for {
		n, err := s.Read(chunk)
		if n > 0 {
			if _, werr := c.Write(chunk[:n]); werr != nil {
				return
			}
			buf = append(buf, chunk[:n]...)
			if !head {
				if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
					head, ws = true, bytes.HasPrefix(buf, []byte("HTTP/1.1 101"))
					buf = buf[i+4:]
				}
			}
			if head && !ws {
				buf = buf[:0] // plain HTTP: not measured here
			}
			if ws {
				buf = px.parse(buf)
			}
		}
		if err != nil {
			return
		}
	}
}

// parse records the whole frames at the start of b and returns the rest.
func (px *wireProxy) parse(b []byte) []byte {
	for len(b) >= 2 {
		n, head := int(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return b
			}
			n, head = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return b
			}
			n, head = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if len(b) < head+n {
			return b
		}
		if op := b[0] & 0x0f; op == 1 || op == 2 {
			f := wireFrame{wire: head + n, compressed: b[0]&0x40 != 0}
			payload := b[head : head+n]
			if f.compressed {
				r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
				payload, _ = io.ReadAll(r)
			}
			f.raw = len(payload)
			f.snapshot = bytes.HasPrefix(payload, []byte(`{"type":"snapshot"`))
			px.mu.Lock()
			px.frames = append(px.frames, f)
			px.mu.Unlock()
		}
		b = b[head+n:]
	}
	return b
}

// mark returns a position in the frames seen so far.
func (px *wireProxy) mark() int {
	px.mu.Lock()
	defer px.mu.Unlock()
	return len(px.frames)
}

type wireSum struct{ wire, raw, messages, largest int }

// since sums the frames after a mark.
func (px *wireProxy) since(mark int) wireSum {
	px.mu.Lock()
	defer px.mu.Unlock()
	var s wireSum
	for _, f := range px.frames[mark:] {
		s.wire += f.wire
		s.raw += f.raw
		s.messages++
		s.largest = max(s.largest, f.wire)
	}
	return s
}

// firstSnapshot returns the first snapshot after a mark.
func (px *wireProxy) firstSnapshot(mark int) wireSum {
	px.mu.Lock()
	defer px.mu.Unlock()
	for _, f := range px.frames[mark:] {
		if f.snapshot {
			return wireSum{wire: f.wire, raw: f.raw, messages: 1, largest: f.wire}
		}
	}
	return wireSum{}
}
