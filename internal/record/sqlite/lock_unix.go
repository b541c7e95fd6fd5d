//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"syscall"
)

// An instanceLock tells whether other stores have the database open: each
// holds a shared lock on a file beside it while open, and one that gets
// the lock exclusively is alone. The operating system drops the locks of
// a process that stops, however it stops.
type instanceLock struct{ f *os.File }

// lockInstance takes the lock on path, exclusively if no other store holds
// it (alone is then true) and shared otherwise; shared either way once it
// returns, so that a store opened later sees this one.
func lockInstance(path string) (l instanceLock, alone bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return instanceLock{}, false, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	alone = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return instanceLock{}, false, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	return instanceLock{f}, alone, nil
}

func (l instanceLock) release() error { return l.f.Close() }
