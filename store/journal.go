package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"
)

// The journal of the embedded store: its file format, and how an entry
// becomes durable (written and fsynced, or the file rebuilt from Redis)
// before CreateGame or Append returns. Reading the journals back at start is
// in restore.go.

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
