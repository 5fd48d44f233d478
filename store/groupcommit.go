package store

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// groupCommitter lets quiz starts and submits that arrive together share one SQLite
// transaction and so one fsync (group commit). Each caller's work still runs on its own,
// inside a savepoint: if it fails, only its own changes are rolled back, and it returns its
// own error. A caller returns only after the shared transaction has committed, so an
// acknowledged submit is as durable as before. The zero value is ready; one goroutine per
// store runs batches while there is work and exits when there is none.
type groupCommitter struct {
	mu      sync.Mutex
	queue   []*groupJob
	running bool
}

type groupJob struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	err  error
	done chan struct{}
}

// groupCommitMax bounds a batch, so one commit never waits on a very long line of work.
const groupCommitMax = 128

// inGroupCommit runs fn in a transaction, shared with the other writers queued at the same
// moment on SQLite. On PostgreSQL, which commits concurrent transactions in groups itself and
// locks rows, fn gets a transaction of its own.
func (s *Store) inGroupCommit(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.postgres {
		return s.w.WithContext(ctx).Transaction(fn)
	}
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan struct{})}
	g := &s.commits
	g.mu.Lock()
	g.queue = append(g.queue, j)
	if !g.running {
		g.running = true
		go g.run(s)
	}
	g.mu.Unlock()
	<-j.done // not ctx.Done(): once queued, the caller learns whether its work committed
	return j.err
}

func (g *groupCommitter) run(s *Store) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), groupCommitMax)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if n == 0 {
			g.running = false
			g.queue = nil
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		err := s.w.Transaction(func(tx *gorm.DB) error {
			for _, j := range batch {
				if err := j.ctx.Err(); err != nil {
					j.err = err
					continue
				}
				// Not the caller's context: a statement cancelled half-way could not be rolled
				// back to the savepoint, and the rest of the batch would commit it.
				j.err = runSavepoint(tx, j.fn)
			}
			return nil
		})
		for _, j := range batch {
			if err != nil && j.err == nil {
				j.err = err // the commit failed: nothing of the batch was written
			}
			close(j.done)
		}
	}
}

// runSavepoint runs fn inside a savepoint of tx (gorm's nested transaction), turning a panic
// into an error so one caller's bug cannot stop the others' commit.
func runSavepoint(tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in a grouped write: %v", r)
		}
	}()
	return tx.Transaction(fn)
}
