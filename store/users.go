package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
)

type shopRecord struct {
	ID   int64
	Code string
	Name string
}

func (shopRecord) TableName() string { return "shops" }

type userRecord struct {
	ID           int64
	Login        string
	Name         string
	PasswordHash string
	Role         string
	ShopID       sql.NullInt64
	HiredOn      sql.NullTime
	Active       bool
	CreatedAt    time.Time
	ShopName     string `gorm:"->;-:migration"`
}

func (userRecord) TableName() string { return "users" }

func (r userRecord) user() accounts.User {
	u := accounts.User{ID: r.ID, Login: r.Login, Name: r.Name, Role: accounts.Role(r.Role), Active: r.Active, ShopName: r.ShopName}
	if r.ShopID.Valid {
		u.ShopID = r.ShopID.Int64
	}
	if r.HiredOn.Valid {
		u.HiredOn = r.HiredOn.Time
	}
	return u
}

const userColumns = "users.*, COALESCE(shops.name, '') AS shop_name"

func (s *Store) users(ctx context.Context) *gorm.DB {
	return s.r.WithContext(ctx).Table("users").Select(userColumns).Joins("LEFT JOIN shops ON shops.id = users.shop_id")
}

// EnsureShop returns the store with the given code, creating it with the name if missing.
func (s *Store) EnsureShop(ctx context.Context, code, name string) (accounts.Shop, error) {
	err := s.w.WithContext(ctx).Exec("INSERT INTO shops (code, name) VALUES (?, ?) ON CONFLICT(code) DO NOTHING", code, name).Error
	if err != nil {
		return accounts.Shop{}, err
	}
	return s.ShopByCode(ctx, code)
}

// ShopByCode finds a store by its code.
func (s *Store) ShopByCode(ctx context.Context, code string) (accounts.Shop, error) {
	var r shopRecord
	err := s.w.WithContext(ctx).Where("code = ?", code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.Shop{}, failure.ErrNotFound
	}
	return accounts.Shop{ID: r.ID, Code: r.Code, Name: r.Name}, err
}

// Shops lists every store by code.
func (s *Store) Shops(ctx context.Context) ([]accounts.Shop, error) {
	var rs []shopRecord
	if err := s.r.WithContext(ctx).Order("code").Find(&rs).Error; err != nil {
		return nil, err
	}
	out := make([]accounts.Shop, len(rs))
	for i, r := range rs {
		out[i] = accounts.Shop{ID: r.ID, Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// CreateUser stores a validated new user with the given password hash. A taken login or an
// unknown store code comes back as failure.Fields so the form can say which field is wrong.
func (s *Store) CreateUser(ctx context.Context, n accounts.NewUser, hash string) (accounts.User, error) {
	rec := userRecord{Login: n.Login, Name: n.Name, PasswordHash: hash, Role: string(n.Role), Active: true, CreatedAt: s.Now()}
	if n.ShopCode != "" {
		shop, err := s.ShopByCode(ctx, n.ShopCode)
		if errors.Is(err, failure.ErrNotFound) {
			return accounts.User{}, failure.Fields{"shop": "没有编号为 " + n.ShopCode + " 的门店"}
		} else if err != nil {
			return accounts.User{}, err
		}
		rec.ShopID = sql.NullInt64{Int64: shop.ID, Valid: true}
	}
	if n.HiredOn != "" {
		t, _ := time.Parse(time.DateOnly, n.HiredOn)
		rec.HiredOn = sql.NullTime{Time: t, Valid: true}
	}
	if err := s.w.WithContext(ctx).Omit("ShopName").Create(&rec).Error; err != nil {
		if isUniqueViolation(err) {
			return accounts.User{}, failure.Fields{"login": "登录名 " + n.Login + " 已被使用"}
		}
		return accounts.User{}, err
	}
	return s.UserByID(ctx, rec.ID)
}

// UserByID loads a user; a missing user is failure.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (accounts.User, error) {
	var r userRecord
	err := s.users(ctx).Where("users.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.User{}, failure.ErrNotFound
	}
	return r.user(), err
}

// UserByLogin loads a user and their password hash for signing in.
func (s *Store) UserByLogin(ctx context.Context, login string) (accounts.User, string, error) {
	var r userRecord
	err := s.users(ctx).Where("users.login = ?", strings.ToLower(strings.TrimSpace(login))).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.User{}, "", failure.ErrNotFound
	}
	return r.user(), r.PasswordHash, err
}

// Users lists users, all of them when shopID is 0, else the staff of that store.
func (s *Store) Users(ctx context.Context, shopID int64) ([]accounts.User, error) {
	// Scanned by hand: the company dashboard lists every user, and reflection per row cost more
	// than the query (BENCHMARKS.md).
	q := `SELECT users.id, users.login, users.name, users.role, users.shop_id, users.hired_on, users.active, COALESCE(shops.name, '')
		FROM users LEFT JOIN shops ON shops.id = users.shop_id`
	var args []any
	if shopID != 0 {
		q += " WHERE users.shop_id = ?"
		args = append(args, shopID)
	}
	rows, err := s.r.WithContext(ctx).Raw(q+" ORDER BY shops.code, users.login", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accounts.User
	for rows.Next() {
		var r userRecord
		if err := rows.Scan(&r.ID, &r.Login, &r.Name, &r.Role, &r.ShopID, &r.HiredOn, &r.Active, &r.ShopName); err != nil {
			return nil, err
		}
		out = append(out, r.user())
	}
	return out, rows.Err()
}

// CountUsers is the number of users, to know whether demo accounts are needed.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.w.WithContext(ctx).Table("users").Count(&n).Error
	return n, err
}

// SetPassword replaces a user's password hash and signs them out everywhere.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE users SET password_hash = ? WHERE id = ?", hash, userID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return failure.ErrNotFound
		}
		return tx.Exec("DELETE FROM sessions WHERE user_id = ?", userID).Error
	})
}

// SetActive (de)activates a user; deactivation ends all their sessions at once.
func (s *Store) SetActive(ctx context.Context, userID int64, active bool) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE users SET active = ? WHERE id = ?", active, userID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return failure.ErrNotFound
		}
		if active {
			return nil
		}
		return tx.Exec("DELETE FROM sessions WHERE user_id = ?", userID).Error
	})
}

// SetShop moves a user to the store with the given code, or out of every store with "".
func (s *Store) SetShop(ctx context.Context, userID int64, code string) error {
	var shop any
	if code != "" {
		sh, err := s.ShopByCode(ctx, code)
		if err != nil {
			return err
		}
		shop = sh.ID
	}
	res := s.w.WithContext(ctx).Exec("UPDATE users SET shop_id = ? WHERE id = ?", shop, userID)
	if res.Error == nil && res.RowsAffected == 0 {
		return failure.ErrNotFound
	}
	return res.Error
}
