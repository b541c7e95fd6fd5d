package sqlrow

import (
	"encoding/json"
	"fmt"

	"github.com/tabadul/tabadul/internal/govern"
)

// RotationActs decodes the rows of (act), the rotation's acts as JSON.
func (b Backend) RotationActs(rows Rows) ([]govern.Act, error) {
	return jsonRows[govern.Act](b, rows, "rotation acts", "rotation act")
}

// Amendments decodes the rows of (body), amendments as JSON.
func (b Backend) Amendments(rows Rows) ([]govern.Amendment, error) {
	return jsonRows[govern.Amendment](b, rows, "amendments", "amendment")
}

// Amendment decodes the body of amendment id.
func (b Backend) Amendment(id, body string) (govern.Amendment, error) {
	var a govern.Amendment
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return a, fmt.Errorf("%s: amendment %s: %w", b, id, err)
	}
	return a, nil
}

// jsonRows decodes rows of one JSON column; a row that does not scan is
// named by many, one that does not decode by one.
func jsonRows[T any](b Backend, rows Rows, many, one string) ([]T, error) {
	var out []T
	for rows.Next() {
		var s string
		var v T
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", b, many, err)
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", b, one, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", b, many, err)
	}
	return out, nil
}
