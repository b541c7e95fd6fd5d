//go:build !unix

package sqlite

// An instanceLock is a no-op where flock(2) is missing: a store never
// knows it is alone, so it never empties an index another store may be
// writing (see searchDB.level); `tabadul reindex` rebuilds one.
type instanceLock struct{}

func lockInstance(string) (instanceLock, bool, error) { return instanceLock{}, false, nil }

func (instanceLock) release() error { return nil }
