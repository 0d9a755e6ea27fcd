package db

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
)

// SQLite spends much of a short transaction compiling SQL: database/sql asks the
// modernc driver to prepare every statement it runs, and the driver throws the
// compiled program away afterwards. The connections opened here keep the compiled
// statements of the queries they run, by SQL text, and reuse them, as pgx does on
// PostgreSQL. This covers every caller, the platform's store and River's queue alike.

// stmtCacheSize bounds the statements kept per connection: enough for every query the
// platform runs on a hot path, few enough that memory stays small with many readers.
const stmtCacheSize = 256

// sqliteConn is everything the modernc driver's connection provides that database/sql
// uses; checked when a connection is opened.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConnector opens connections through the driver's own connector and wraps
// them in a statement cache.
type cachingConnector struct {
	driver.Connector
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("SQLite driver connection %T lacks a method database/sql needs", conn)
	}
	return &cachingConn{sqliteConn: sc, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// cachingConn is one SQLite connection with its compiled statements. database/sql
// never uses a connection from two goroutines at once, so it needs no lock; but a
// statement can still be running when the same SQL is asked for again (rows being
// read while another query runs in the same transaction), so a statement with open
// rows is marked busy and the second use compiles a one-off statement instead.
type cachingConn struct {
	sqliteConn
	byQuery map[string]*list.Element // SQL text → element of lru holding a *cachedStmt
	lru     *list.List               // most recently used first
}

type cachedStmt struct {
	query string
	stmt  interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool // rows of this statement are open
}

// statement returns the compiled statement for query, compiling and keeping it on
// first use. ok is false when the statement is busy: the caller runs a one-off.
func (c *cachingConn) statement(ctx context.Context, query string) (s *cachedStmt, ok bool, err error) {
	if e, found := c.byQuery[query]; found {
		c.lru.MoveToFront(e)
		s = e.Value.(*cachedStmt)
		return s, !s.busy, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	st, isFull := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !isFull {
		ds.Close()
		return nil, false, nil
	}
	s = &cachedStmt{query: query, stmt: st}
	c.byQuery[query] = c.lru.PushFront(s)
	c.evict()
	return s, true, nil
}

// evict closes the least recently used statements beyond the cache's size, except
// busy ones, which their rows still need.
func (c *cachingConn) evict() {
	for e := c.lru.Back(); e != nil && c.lru.Len() > stmtCacheSize; {
		prev := e.Prev()
		if s := e.Value.(*cachedStmt); !s.busy {
			c.lru.Remove(e)
			delete(c.byQuery, s.query)
			s.stmt.Close()
		}
		e = prev
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, ok, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, ok, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, stmt: s}, nil
}

// Close closes the kept statements, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// cachedRows frees its statement for the next caller when closed. It passes on the
// column type details the driver gives.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (length int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
