//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// clkTck is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100
// on every Linux architecture Go supports.
const clkTck = 100

// procSample is what /proc says of one process at one moment.
type procSample struct {
	PID     int
	UserS   float64
	SysS    float64
	RSSKB   int64
	Threads int
}

// readProc reads utime, stime and the thread count from /proc/<pid>/stat
// and VmRSS from /proc/<pid>/status.
func readProc(pid int) (procSample, error) {
	s := procSample{PID: pid}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name (field 2) may hold spaces; fields after it start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return s, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime 15, num_threads 20.
	if len(f) < 18 {
		return s, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	th, _ := strconv.Atoi(f[17])
	s.UserS, s.SysS, s.Threads = float64(ut)/clkTck, float64(st)/clkTck, th
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			s.RSSKB = kb
		}
	}
	return s, nil
}

// selfCPU returns this process's user and system CPU seconds.
func selfCPU() (float64, float64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime), tv(ru.Stime)
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() [3]float64 {
	var out [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		out[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return out
}

// procDelta is a server process's use of the machine over a window.
type procDelta struct {
	PID        int     `json:"pid"`
	Role       string  `json:"role"`
	UserS      float64 `json:"userS"`
	SysS       float64 `json:"sysS"`
	RSSStartKB int64   `json:"rssStartKB"`
	RSSEndKB   int64   `json:"rssEndKB"`
	RSSMaxKB   int64   `json:"rssMaxKB"`
	Threads    int     `json:"threads"`
}

func delta(role string, a, b procSample, maxRSS int64) procDelta {
	return procDelta{PID: a.PID, Role: role, UserS: round3(b.UserS - a.UserS), SysS: round3(b.SysS - a.SysS),
		RSSStartKB: a.RSSKB, RSSEndKB: b.RSSKB, RSSMaxKB: max(maxRSS, a.RSSKB, b.RSSKB), Threads: b.Threads}
}
