package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/tracking"
)

// ImportedUser is one row of a staff import with the hash of its initial password.
type ImportedUser struct {
	Line int
	User accounts.NewUser
	Hash string
}

// errRefused rolls an import back after its problems were collected.
var errRefused = errors.New("import refused")

// ImportStaff creates every user of a staff list in one transaction, or none: logins already
// taken and store codes that do not exist are reported per line, and any problem leaves the
// database as it was.
func (s *Store) ImportStaff(ctx context.Context, rows []ImportedUser) ([]tracking.RowError, error) {
	var problems []tracking.RowError
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		shops := map[string]int64{}
		for _, r := range rows {
			code := r.User.ShopCode
			if code == "" {
				continue
			}
			if _, ok := shops[code]; !ok {
				var ids []int64
				if err := tx.Raw("SELECT id FROM shops WHERE code = ?", code).Scan(&ids).Error; err != nil {
					return err
				}
				shops[code] = 0
				if len(ids) == 1 {
					shops[code] = ids[0]
				}
			}
			if shops[code] == 0 {
				problems = append(problems, tracking.RowError{Line: r.Line, Column: "门店编号", Message: "门店编号 " + code + " 不存在，请先建立门店"})
			}
		}
		now := s.Now()
		for _, r := range rows {
			var taken int
			if err := tx.Raw("SELECT COUNT(*) FROM users WHERE login = ?", r.User.Login).Scan(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				problems = append(problems, tracking.RowError{Line: r.Line, Column: "登录名", Message: "登录名 " + r.User.Login + " 已被使用"})
			}
			if len(problems) > 0 {
				continue
			}
			rec := userRecord{Login: r.User.Login, Name: r.User.Name, PasswordHash: r.Hash, Role: string(r.User.Role), Active: true, CreatedAt: now}
			if id := shops[r.User.ShopCode]; id != 0 {
				rec.ShopID = sql.NullInt64{Int64: id, Valid: true}
			}
			if r.User.HiredOn != "" {
				t, _ := time.Parse(time.DateOnly, r.User.HiredOn)
				rec.HiredOn = sql.NullTime{Time: t, Valid: true}
			}
			if err := tx.Omit("ShopName").Create(&rec).Error; err != nil {
				if isUniqueViolation(err) { // taken meanwhile by another instance's import or form
					problems = append(problems, tracking.RowError{Line: r.Line, Column: "登录名", Message: "登录名 " + r.User.Login + " 已被使用"})
					return errRefused
				}
				return err
			}
		}
		if len(problems) > 0 {
			return errRefused
		}
		return audit(tx, now, AuditEntry{Action: "users.import", Object: "users", After: strconv.Itoa(len(rows)) + " users"})
	})
	if errors.Is(err, errRefused) {
		return problems, nil
	}
	return nil, err
}

// Credential is an imported user's login and the initial password generated for them, shown
// once to the admin who imported the list.
type Credential struct {
	Login    string
	Name     string
	Password string
}

// ImportStaffCSV reads a staff list (UTF-8, UTF-8 with BOM or GBK; see tracking.ParseStaffCSV),
// gives every person a random initial password and creates them all, or nobody when any line
// has a problem — then every problem is returned with its line.
func (s *Store) ImportStaffCSV(ctx context.Context, data []byte, cost int, password func() string) ([]Credential, []tracking.RowError, error) {
	rows, problems := tracking.ParseStaffCSV(data)
	if len(problems) > 0 {
		return nil, problems, nil
	}
	var users []ImportedUser
	var creds []Credential
	for _, r := range rows {
		n := accounts.NewUser{Login: r.Login, Name: r.Name, Role: accounts.Role(r.Role), ShopCode: r.Store, HiredOn: r.HiredOn, Password: password()}
		if err := n.Validate(); err != nil {
			// tracking.ParseStaffCSV checks the same rules; this catches any drift between them.
			problems = append(problems, tracking.RowError{Line: r.Line, Message: err.Error()})
			continue
		}
		hash, err := accounts.HashPassword(n.Password, cost)
		if err != nil {
			return nil, nil, err
		}
		users = append(users, ImportedUser{Line: r.Line, User: n, Hash: hash})
		creds = append(creds, Credential{Login: n.Login, Name: n.Name, Password: n.Password})
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	if problems, err := s.ImportStaff(ctx, users); err != nil || len(problems) > 0 {
		return nil, problems, err
	}
	return creds, nil, nil
}
