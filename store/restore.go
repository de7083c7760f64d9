package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Restoring the embedded store at start: every journal file is read back
// (a torn tail is cut off, a corrupt file set aside) and its game loaded
// into the embedded server with its code and TTLs. The file format is
// described in journal.go.

// restore loads every journal into the embedded server.
func (e *embedded) restore(ctx context.Context) error {
	des, err := os.ReadDir(e.dir)
	if err != nil {
		return fmt.Errorf("store: read the journals: %w", err)
	}
	now := e.r.now()
	for _, de := range des {
		name := de.Name()
		path := filepath.Join(e.dir, name)
		switch {
		case strings.HasSuffix(name, ".log.tmp"):
			// A journal being created or rebuilt when the process stopped;
			// the .log file (if any) is the one that was acknowledged.
			_ = os.Remove(path)
		case strings.HasSuffix(name, ".log") && de.Type().IsRegular():
			if err := e.restoreFile(ctx, path, now); err != nil {
				return fmt.Errorf("store: restore %s: %w", path, err)
			}
		}
	}
	return nil
}

// restoreFile restores one journal. File damage is handled (and logged)
// here; the error is a Redis or file system failure.
func (e *embedded) restoreFile(ctx context.Context, path string, now time.Time) error {
	log := e.r.log.With("journal", path)
	content, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	id := strings.TrimSuffix(filepath.Base(path), ".log")

	nl := bytes.IndexByte(content, '\n')
	if nl < 0 {
		// The header is written with entry 1 and fsynced before CreateGame
		// returns: a file without a complete header was never acknowledged.
		log.Warn("store: journal without a complete header (a crash during creation); deleting it")
		return os.Remove(path)
	}
	var h journalHeader
	if err := json.Unmarshal(content[:nl], &h); err != nil || h.Journal != journalFormat || h.Game != id || !validID(id) {
		return e.quarantine(path, log, "bad header")
	}

	var (
		entries  []Entry
		deadline int64
		off      = nl + 1
	)
	for off < len(content) {
		i := bytes.IndexByte(content[off:], '\n')
		if i < 0 {
			log.Warn("store: ignoring the journal's truncated last line (a crash during a write)",
				"bytes", len(content)-off)
			break
		}
		v, d, data, err := parseLine(content[off : off+i])
		if err == nil && v != int64(len(entries))+1 {
			err = fmt.Errorf("version %d where %d was expected", v, len(entries)+1)
		}
		if err != nil {
			if validLineIn(content[off+i+1:]) {
				return e.quarantine(path, log, fmt.Sprintf("line of entry %d: %v", len(entries)+1, err))
			}
			log.Warn("store: ignoring the journal's damaged tail (a crash during a write)",
				"entry", len(entries)+1, "err", err, "bytes", len(content)-off)
			break
		}
		entries = append(entries, Entry{Version: v, Data: data})
		deadline = d
		off += i + 1
	}
	if len(entries) == 0 {
		log.Warn("store: journal without entry 1 (a crash during creation); deleting it")
		return os.Remove(path)
	}
	if deadline > 0 && deadline <= now.UnixMilli() {
		log.Info("store: game expired while the server was stopped; deleting its journal", "game", id)
		return os.Remove(path)
	}
	if off < len(content) {
		if err := truncateSynced(path, int64(off)); err != nil {
			return err
		}
	}
	if err := e.load(ctx, id, h.Code, entries, deadline, now); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	last := int64(len(entries))
	e.journals[id] = &journal{id: id, path: path, f: f, last: last, deadline: deadline, deadlineV: last}
	return nil
}

// validLineIn reports whether rest holds a valid entry line: a damaged line
// followed by a valid one is corruption, not a torn tail.
func validLineIn(rest []byte) bool {
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return false
		}
		if _, _, _, err := parseLine(rest[:i]); err == nil {
			return true
		}
		rest = rest[i+1:]
	}
	return false
}

func (e *embedded) quarantine(path string, log *slog.Logger, why string) error {
	dest := fmt.Sprintf("%s.corrupt-%d", path, time.Now().Unix())
	log.Error("store: corrupt journal; the game is not restored and the file is set aside",
		"why", why, "moved_to", dest)
	return os.Rename(path, dest)
}

func truncateSynced(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// load writes a journaled game into the embedded server: its stream, its
// meta hash, its code and their TTLs.
func (e *embedded) load(ctx context.Context, id, code string, entries []Entry, deadline int64, now time.Time) error {
	r := e.r
	logKey, metaKey := r.logKey(id), r.metaKey(id)
	pipe := r.rdb.Pipeline()
	pipe.Del(ctx, logKey, r.snapKey(id), metaKey)
	for _, en := range entries {
		pipe.XAdd(ctx, &redis.XAddArgs{
			Stream: logKey,
			ID:     "0-" + strconv.FormatInt(en.Version, 10),
			Values: []any{"d", en.Data},
		})
		if pipe.Len() >= 1000 {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	var remaining time.Duration
	if deadline > 0 {
		remaining = max(time.UnixMilli(deadline).Sub(now), time.Millisecond)
	}
	codeSet := pipe.SetNX(ctx, r.codeKey(code), id, remaining)
	pipe.HSet(ctx, metaKey, "code", code, "cexp", deadline)
	if remaining > 0 {
		pipe.PExpire(ctx, logKey, remaining)
		pipe.PExpire(ctx, metaKey, remaining)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	if !codeSet.Val() {
		r.log.Warn("store: the join code of a restored game is used by another game; the game keeps no code",
			"game", id, "code", code)
		return r.rdb.HSet(ctx, metaKey, "code", "").Err()
	}
	return nil
}
