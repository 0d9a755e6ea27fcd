package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ReadBasket reads a person's basket without writing: its current token ("" when
// the person never changed a basket: the token is made by the first change) and
// its course IDs in the order added. Token and courses come from one statement,
// so they belong together: a validation carrying this token validates exactly
// these courses, and a basket edited in another tab meanwhile is not validated
// blind.
func (s *Store) ReadBasket(ctx context.Context, accountID int64) (token string, courseIDs []int64, err error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT b.token, i.course_id FROM baskets b
		LEFT JOIN basket_items i ON i.account_id = b.account_id
		WHERE b.account_id = $1 ORDER BY i.added_at, i.course_id`, accountID)
	if err != nil {
		return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var course sql.NullInt64
		if err := rows.Scan(&token, &course); err != nil {
			return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
		}
		if course.Valid {
			courseIDs = append(courseIDs, course.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	return token, courseIDs, nil
}

// RotateBasketToken gives the basket a new token (upsert, same on both engines).
func (s *Store) RotateBasketToken(ctx context.Context, tx *sql.Tx, accountID int64, now time.Time) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO baskets (account_id, token, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
		accountID, token, s.instantArg(now))
	if err != nil {
		return "", fmt.Errorf("renew basket token of %d: %w", accountID, err)
	}
	return token, nil
}

// BasketCourses lists the course IDs in a person's basket, in the order added.
func (s *Store) BasketCourses(ctx context.Context, tx *sql.Tx, accountID int64) ([]int64, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT course_id FROM basket_items WHERE account_id = $1 ORDER BY added_at, course_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Holdings reads, in one round trip, the courses in a person's basket (in the
// order added) and the courses of their active candidatures (CAN-1..3 count
// both).
func (s *Store) Holdings(ctx context.Context, tx *sql.Tx, accountID int64) (basket, active []int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT 1, course_id, added_at FROM basket_items WHERE account_id = $1
		UNION ALL SELECT 2, COALESCE(accepted_course_id, course_id), NULL FROM candidatures
			WHERE account_id = $1 AND status IN `+activeStatusesSQL+ofOpenYears+`
		ORDER BY 1, 3, 2`, accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("read holdings of %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var id int64
		var added any
		if err := rows.Scan(&kind, &id, &added); err != nil {
			return nil, nil, err
		}
		if kind == 1 {
			basket = append(basket, id)
		} else {
			active = append(active, id)
		}
	}
	return basket, active, rows.Err()
}

// AddBasketItem puts a course in the basket (a second add is a no-op).
func (s *Store) AddBasketItem(ctx context.Context, tx *sql.Tx, accountID, courseID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO basket_items (account_id, course_id, added_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, course_id) DO NOTHING`, accountID, courseID, s.instantArg(now))
	if err != nil {
		return fmt.Errorf("add course %d to basket of %d: %w", courseID, accountID, err)
	}
	return nil
}

// RemoveBasketItem takes a course out of the basket.
func (s *Store) RemoveBasketItem(ctx context.Context, tx *sql.Tx, accountID, courseID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM basket_items WHERE account_id = $1 AND course_id = $2`, accountID, courseID); err != nil {
		return fmt.Errorf("remove course %d from basket of %d: %w", courseID, accountID, err)
	}
	return nil
}

// ClearBasket empties the basket after a validation.
func (s *Store) ClearBasket(ctx context.Context, tx *sql.Tx, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM basket_items WHERE account_id = $1`, accountID); err != nil {
		return fmt.Errorf("clear basket of %d: %w", accountID, err)
	}
	return nil
}
