package accounts

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"aftercare/failure"
)

func TestScope(t *testing.T) {
	admin := User{ID: 1, Role: Admin}
	superA := User{ID: 2, Role: Supervisor, ShopID: 10}
	traineeA := User{ID: 3, Role: Trainee, ShopID: 10}
	traineeB := User{ID: 4, Role: Trainee, ShopID: 20}
	storeless := User{ID: 5, Role: Supervisor}
	cases := []struct {
		who, other User
		want       bool
	}{
		{admin, traineeB, true},
		{superA, traineeA, true},
		{superA, traineeB, false},
		{traineeA, traineeA, true},
		{traineeA, traineeB, false},
		{traineeA, superA, false},
		{storeless, User{ID: 6, Role: Trainee}, false}, // no store is not "the same store"
	}
	for _, c := range cases {
		if got := c.who.CanSee(c.other); got != c.want {
			t.Errorf("%v(%d) sees %v(%d): %v, want %v", c.who.Role, c.who.ShopID, c.other.Role, c.other.ShopID, got, c.want)
		}
	}
	if !admin.AtLeast(Supervisor) || traineeA.AtLeast(Supervisor) || !superA.AtLeast(Trainee) || (User{Role: "boss"}).AtLeast(Trainee) {
		t.Error("AtLeast ranks roles wrongly")
	}
}

func TestPasswordsLongerThanBcryptsLimitAreNotTruncated(t *testing.T) {
	long := strings.Repeat("售后服务", 10) // 120 bytes, past bcrypt's 72
	hash, err := HashPassword(long, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(hash, long) {
		t.Fatal("the password does not match its own hash")
	}
	if CheckPassword(hash, long[:72]+"x") || CheckPassword(hash, strings.Repeat("售后服务", 9)) {
		t.Fatal("a different password with the same first 72 bytes matches")
	}
}

func TestNewUserValidation(t *testing.T) {
	n := NewUser{Login: " XiaoLi ", Name: " 小李 ", Role: Trainee, ShopCode: "001", HiredOn: "2026-11-01", Password: "ten chars!"}
	if err := n.Validate(); err != nil || n.Login != "xiaoli" || n.Name != "小李" {
		t.Fatalf("valid user refused: %v (%q %q)", err, n.Login, n.Name)
	}
	bad := NewUser{Login: "a", Role: "boss", HiredOn: "31/01/2026", Password: "short"}
	var f failure.Fields
	if err := bad.Validate(); !errors.As(err, &f) {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, field := range []string{"login", "name", "role", "shop", "hired_on", "password"} {
		if f[field] == "" {
			t.Errorf("no message for %s", field)
		}
	}
	if admin := (NewUser{Login: "boss", Name: "管理员", Role: Admin, Password: "long enough pw"}); admin.Validate() != nil {
		t.Error("an admin needs no store")
	}
}
