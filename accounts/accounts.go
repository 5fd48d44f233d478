// Package accounts holds who uses the platform: users, their roles and stores, and the rules
// about whom a user may see. It knows nothing about HTTP or the database; the store package
// persists these types and the web package enforces the rules on every request.
package accounts

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"aftercare/failure"
)

// Role decides what a user may do; see DESIGN.md §4.
type Role string

// The three roles. A supervisor acts for the staff of their own store only.
const (
	Trainee    Role = "trainee"
	Supervisor Role = "supervisor"
	Admin      Role = "admin"
)

// Valid reports whether r is one of the known roles, so that a typo in a command line or a
// CSV file is refused instead of creating a user nobody can authorise.
func (r Role) Valid() bool { return r == Trainee || r == Supervisor || r == Admin }

// Label is the role's name as users read it.
func (r Role) Label() string {
	switch r {
	case Admin:
		return "管理员"
	case Supervisor:
		return "主管"
	default:
		return "学员"
	}
}

// Shop is a retail store; supervisors and their staff belong to one. (Called Shop to keep
// "store" free for the persistence package.)
type Shop struct {
	ID   int64
	Code string
	Name string
}

// User is a person with a login.
type User struct {
	ID       int64
	Login    string
	Name     string
	Role     Role
	ShopID   int64 // 0 for admins who belong to no store
	ShopName string
	HiredOn  time.Time // zero when unknown
	Active   bool
}

// CanSeeStaffOf reports whether u may see the records of staff in the given store: admins see
// all stores, supervisors their own, trainees nobody else's.
func (u User) CanSeeStaffOf(shopID int64) bool {
	switch u.Role {
	case Admin:
		return true
	case Supervisor:
		return u.ShopID != 0 && u.ShopID == shopID
	default:
		return false
	}
}

// CanSee reports whether u may see other's records (their progress, attempts, drills).
func (u User) CanSee(other User) bool {
	return u.ID == other.ID || u.CanSeeStaffOf(other.ShopID)
}

// AtLeast reports whether u's role is r or more powerful, for routes open to a role and above.
func (u User) AtLeast(r Role) bool { return rank(u.Role) >= rank(r) }

func rank(r Role) int {
	switch r {
	case Admin:
		return 3
	case Supervisor:
		return 2
	case Trainee:
		return 1
	}
	return 0
}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// NewUser is what an admin (or a CSV import) supplies to create a user.
type NewUser struct {
	Login    string
	Name     string
	Role     Role
	ShopCode string
	HiredOn  string // YYYY-MM-DD, may be empty
	Password string
}

// Validate checks a new user's fields and returns failure.Fields with a message per bad field.
func (n *NewUser) Validate() error {
	f := failure.Fields{}
	n.Login = strings.TrimSpace(strings.ToLower(n.Login))
	n.Name = strings.TrimSpace(n.Name)
	if !loginPattern.MatchString(n.Login) {
		f.Add("login", "登录名须为 2–32 位小写字母、数字、点、下划线或连字符，并以字母或数字开头")
	}
	if n.Name == "" {
		f.Add("name", "请填写姓名")
	} else if utf8.RuneCountInString(n.Name) > 40 {
		f.Add("name", "姓名不能超过 40 个字")
	}
	if !n.Role.Valid() {
		f.Add("role", "角色须为学员、主管或管理员")
	}
	if n.Role != Admin && strings.TrimSpace(n.ShopCode) == "" {
		f.Add("shop", "学员和主管必须属于一家门店")
	}
	if n.HiredOn != "" {
		if _, err := time.Parse(time.DateOnly, n.HiredOn); err != nil {
			f.Add("hired_on", "入职日期格式应为 2026-01-31")
		}
	}
	if msg := PasswordProblem(n.Password); msg != "" {
		f.Add("password", msg)
	}
	return f.Err()
}

// PasswordProblem returns a user-facing message when pw is too weak, or "" when it is fine.
func PasswordProblem(pw string) string {
	if utf8.RuneCountInString(pw) < 10 {
		return "密码至少 10 个字符"
	}
	if len(pw) > 1024 {
		return "密码过长"
	}
	return ""
}

// DefaultCost is the bcrypt cost for stored passwords: about a quarter of a second on a small
// server, slow enough to make offline guessing expensive.
const DefaultCost = 12

// HashPassword hashes pw with bcrypt. The password is first reduced with SHA-256 so that
// passwords longer than bcrypt's 72-byte limit (24 Chinese characters) are not silently
// truncated; base64 keeps NUL bytes out of bcrypt's input.
func HashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(pw), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches the stored hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), prehash(pw)) == nil
}

// ErrBadCredentials is returned for a wrong login or password; the two are not told apart.
var ErrBadCredentials = errors.New("bad credentials")

func prehash(pw string) []byte {
	sum := sha256.Sum256([]byte(pw))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}
