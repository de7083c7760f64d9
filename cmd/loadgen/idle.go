//go:build linux

package main

import "context"

// measureIdle lets the connections settle, sending nothing, and reads
// what they cost the servers in memory: after -settle, and again after
// -settle-long if it is longer.
func (p *pass) measureIdle(ctx context.Context, res *passResult, before []procSample) (*passResult, error) {
	if !sleep(ctx, p.cfg.settle) {
		return nil, ctx.Err()
	}
	after, err := p.sample()
	if err != nil {
		return nil, err
	}
	if p.cfg.settleLong > p.cfg.settle {
		// Later, once Go's periodic GC (every 2 minutes) and the
		// scavenger have run: the steady idle footprint.
		if !sleep(ctx, p.cfg.settleLong-p.cfg.settle) {
			return nil, ctx.Err()
		}
		later, err := p.sample()
		if err != nil {
			return nil, err
		}
		for i := range later {
			res.IdleRSSLaterKB += later[i].RSSKB - before[i].RSSKB
		}
		res.KBPerConnLater = round3(float64(res.IdleRSSLaterKB) / float64(res.Conns))
		res.IdleRSSLaterKB += sumRSS(before)
	}
	for i := range after {
		res.Servers = append(res.Servers, delta(p.target.kind, before[i], after[i], 0))
		res.IdleRSSBeforeKB += before[i].RSSKB
		res.IdleRSSAfterKB += after[i].RSSKB
	}
	res.KBPerConn = round3(float64(res.IdleRSSAfterKB-res.IdleRSSBeforeKB) / float64(res.Conns))
	res.Disconnects = p.countDisconnects()
	res.LoadEnd = loadAvg()
	return res, nil
}

// sumRSS adds up the resident memory of the samples.
func sumRSS(s []procSample) int64 {
	var n int64
	for _, x := range s {
		n += x.RSSKB
	}
	return n
}
