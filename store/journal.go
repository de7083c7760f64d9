package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Journal file format, one file per game, <dataDir>/games/<gameID>.log:
//
//	{"journal":1,"game":"<id>","code":"<code>"}
//	<version> <deadline> <crc> <data>
//	<version> <deadline> <crc> <data>
//	...
//
// The first line is a JSON header. Every other line is one entry, versions
// 1, 2, 3… in order: the version in decimal, the game's expiry deadline
// after this entry in Unix milliseconds (0: none), the CRC-32C of
// "<version> <deadline> " followed by the data, as 8 hex digits, and the
// data itself, raw (entry data never contains a newline).
//
// The header and entry 1 are written together to a temporary file that is
// renamed into place; later entries are appended, then fsynced, before
// Append returns. At open, a damaged tail (a last line without its newline
// or failing its CRC, as a crash mid-write leaves) is dropped with a
// warning and cut off the file; a damaged line followed by valid ones is
// not a crash artefact, so the file is set aside as <file>.corrupt-<time>
// and the game is not restored.
const journalFormat = 1

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type journalHeader struct {
	Journal int    `json:"journal"`
	Game    string `json:"game"`
	Code    string `json:"code"`
}

// journal is the open journal file of one game.
type journal struct {
	mu   sync.Mutex
	id   string
	path string
	// f is nil when the file must be rebuilt from Redis before the next
	// write (after a failed write, or for a game this process did not
	// create).
	f    *os.File
	last int64 // last version in the file
	// deadline is the game's expiry in Unix ms (0: none), as set by the
	// entry of version deadlineV.
	deadline  int64
	deadlineV int64
	gone      bool // removed: fetch the game's journal anew
}

func (e *embedded) path(gameID string) string {
	return filepath.Join(e.dir, gameID+".log")
}

// appendLine appends the journal line of one entry to buf.
func appendLine(buf []byte, version, deadline int64, data []byte) []byte {
	start := len(buf)
	buf = strconv.AppendInt(buf, version, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, deadline, 10)
	buf = append(buf, ' ')
	crc := crc32.Update(crc32.Update(0, crcTable, buf[start:]), crcTable, data)
	buf = hex.AppendEncode(buf, []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	buf = append(buf, ' ')
	buf = append(buf, data...)
	return append(buf, '\n')
}

// parseLine parses one entry line, without its newline.
func parseLine(line []byte) (version, deadline int64, data []byte, err error) {
	vs, rest, ok1 := bytes.Cut(line, []byte{' '})
	ds, rest, ok2 := bytes.Cut(rest, []byte{' '})
	cs, data, ok3 := bytes.Cut(rest, []byte{' '})
	if !ok1 || !ok2 || !ok3 || len(cs) != 8 {
		return 0, 0, nil, errors.New("malformed line")
	}
	version, err1 := strconv.ParseInt(string(vs), 10, 64)
	deadline, err2 := strconv.ParseInt(string(ds), 10, 64)
	sum, err3 := strconv.ParseUint(string(cs), 16, 32)
	if err1 != nil || err2 != nil || err3 != nil || version < 1 {
		return 0, 0, nil, errors.New("malformed line")
	}
	head := line[:len(vs)+len(ds)+2]
	if crc32.Update(crc32.Update(0, crcTable, head), crcTable, data) != uint32(sum) {
		return 0, 0, nil, errors.New("checksum mismatch")
	}
	return version, deadline, data, nil
}

func headerLine(gameID, code string) ([]byte, error) {
	b, err := json.Marshal(journalHeader{Journal: journalFormat, Game: gameID, Code: code})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// journalCreate writes the journal of a new game: header and entry 1.
func (e *embedded) journalCreate(gameID, code string, first []byte, deadline int64) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return errors.New("store: closed")
	}
	old := e.journals[gameID]
	j := &journal{id: gameID, path: e.path(gameID), deadline: deadline, deadlineV: 1}
	e.journals[gameID] = j
	j.mu.Lock() // j is not shared yet: no waiting
	e.mu.Unlock()
	defer j.mu.Unlock()

	if old != nil {
		// A journal of an expired game with the same ID: retire it before
		// writing the file, so that a sweep in progress cannot remove the
		// new file.
		old.mu.Lock()
		if old.f != nil {
			_ = old.f.Close()
			old.f = nil
		}
		old.gone = true
		old.mu.Unlock()
	}

	header, err := headerLine(gameID, code)
	if err != nil {
		return fmt.Errorf("store: journal of game %s: %w", gameID, err)
	}
	content := appendLine(header, 1, deadline, first)
	if err := e.installFile(j, content, 1); err != nil {
		return fmt.Errorf("store: journal of game %s: %w", gameID, err)
	}
	return nil
}

// journalFor returns the journal of a game, registering a new one (to be
// rebuilt from Redis) when there is none.
func (e *embedded) journalFor(gameID string) (*journal, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("store: closed")
	}
	j := e.journals[gameID]
	if j == nil {
		j = &journal{id: gameID, path: e.path(gameID)}
		e.journals[gameID] = j
	}
	return j, nil
}

// journalAppend makes entry version of the game durable, with any entry
// before it that is not in the file yet (appended concurrently by another
// caller who has not written it yet, or by another client of the embedded
// server). deadline is the game's new expiry (0: unchanged).
func (e *embedded) journalAppend(ctx context.Context, gameID string, version int64, data []byte, deadline int64) error {
	for {
		j, err := e.journalFor(gameID)
		if err != nil {
			return err
		}
		j.mu.Lock()
		if j.gone {
			j.mu.Unlock()
			continue
		}
		err = e.writeLocked(ctx, j, version, data, deadline)
		j.mu.Unlock()
		if err != nil {
			return fmt.Errorf("store: journal of game %s: %w", gameID, err)
		}
		return nil
	}
}

func (e *embedded) writeLocked(ctx context.Context, j *journal, version int64, data []byte, deadline int64) error {
	if deadline > 0 && version >= j.deadlineV {
		j.deadline, j.deadlineV = deadline, version
	}
	if version <= j.last {
		return nil // already written with a later entry
	}
	if j.f == nil {
		return e.rebuildLocked(ctx, j, version)
	}
	buf := make([]byte, 0, len(data)+48)
	if version > j.last+1 {
		missing, err := e.r.entries(ctx, j.id, j.last+1, "0-"+strconv.FormatInt(version-1, 10))
		if err != nil {
			return err
		}
		if err := contiguous(missing, j.last+1, version-1); err != nil {
			return err
		}
		for _, m := range missing {
			buf = appendLine(buf, m.Version, j.deadline, m.Data)
		}
	}
	buf = appendLine(buf, version, j.deadline, data)
	_, err := j.f.Write(buf)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		// The file may hold a partial line and, after a failed fsync, pages
		// the kernel no longer means to write: start a new file from Redis.
		e.r.log.Error("store: journal write failed; rebuilding it from Redis", "game", j.id, "err", err)
		_ = j.f.Close()
		j.f = nil
		if rerr := e.rebuildLocked(ctx, j, version); rerr != nil {
			return errors.Join(err, rerr)
		}
		return nil
	}
	j.last = version
	return nil
}

// contiguous checks that es holds exactly the versions from..to.
func contiguous(es []Entry, from, to int64) error {
	if int64(len(es)) != to-from+1 {
		return fmt.Errorf("entries %d to %d: Redis returned %d", from, to, len(es))
	}
	for i, en := range es {
		if en.Version != from+int64(i) {
			return fmt.Errorf("entries %d to %d: got version %d at position %d", from, to, en.Version, i)
		}
		if err := checkData(en.Data); err != nil {
			return err
		}
	}
	return nil
}

// rebuildLocked writes the game's whole journal, entries 1 to upTo, from
// Redis.
func (e *embedded) rebuildLocked(ctx context.Context, j *journal, upTo int64) error {
	rdb := e.r.rdb
	code, err := rdb.HGet(ctx, e.r.metaKey(j.id), "code").Result()
	if errors.Is(err, redis.Nil) {
		return errors.New("the game vanished from Redis")
	}
	if err != nil {
		return err
	}
	if j.deadline == 0 {
		if pttl, err := rdb.PTTL(ctx, e.r.logKey(j.id)).Result(); err == nil && pttl > 0 {
			j.deadline = e.r.now().Add(pttl).UnixMilli()
		}
	}
	es, err := e.r.entries(ctx, j.id, 1, "0-"+strconv.FormatInt(upTo, 10))
	if err != nil {
		return err
	}
	if err := contiguous(es, 1, upTo); err != nil {
		return err
	}
	content, err := headerLine(j.id, code)
	if err != nil {
		return err
	}
	for _, en := range es {
		content = appendLine(content, en.Version, j.deadline, en.Data)
	}
	return e.installFile(j, content, upTo)
}

// installFile atomically replaces the journal file with content, durably,
// and opens it for appending. j.mu must be held.
func (e *embedded) installFile(j *journal, content []byte, last int64) error {
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
	tmp := j.path + ".tmp"
	if err := writeSynced(tmp, content); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, j.path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := syncDir(e.dir); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	j.f, j.last = f, last
	return nil
}

func writeSynced(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there; NTFS journals metadata
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeLocked deletes the journal of an expired game. j.mu must be held.
func (e *embedded) removeLocked(j *journal) {
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
	j.gone = true
	if err := os.Remove(j.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		e.r.log.Warn("store: cannot delete an expired journal", "game", j.id, "err", err)
	}
	e.mu.Lock()
	if e.journals[j.id] == j {
		delete(e.journals, j.id)
	}
	e.mu.Unlock()
}

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
