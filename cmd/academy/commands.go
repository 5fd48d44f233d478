package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"aftercare/accounts"
	"aftercare/content"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store"
)

// check validates the content; with --json it prints the totals and problems as one object.
func check(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("check", getenv, stderr)
	asJSON := fl.Bool("json", false, "print the result as JSON")
	if err := fl.Parse(args); err != nil {
		return err
	}
	fsys, where := cfg.contentFS(content.FS)
	cat, err := courses.Load(fsys)
	var ps courses.Problems
	if err != nil && !errors.As(err, &ps) {
		return err
	}
	if *asJSON {
		out := struct {
			courses.Summary
			Errors courses.Problems `json:"errors"`
		}{cat.Summarise(), ps}
		if out.Errors == nil {
			out.Errors = courses.Problems{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		s := cat.Summarise()
		fmt.Fprintf(stdout, "%s: %d courses, %d modules, %d questions, %d role-plays (%d with dialogues), %d problem(s)\n",
			where, s.Courses, s.Modules, s.Questions, s.Roleplays, s.Dialogues, len(ps))
		for slug, p := range s.Programmes {
			fmt.Fprintf(stdout, "  programme %s: %.2f credited hours, %d modules\n", slug, p.Hours, p.Modules)
		}
	}
	if len(ps) > 0 {
		return errSilent
	}
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("migrate", getenv, stderr)
	if err := fl.Parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: schema version %d (latest %d)\n", store.DisplayName(cfg.db), v, store.LatestVersion())
	return nil
}

func backup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("backup", getenv, stderr)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return errors.New("usage: academy backup [--db PATH] FILE")
	}
	if store.IsPostgresDSN(cfg.db) {
		return store.ErrBackupWithPgDump // say so before connecting: the advice does not need the server
	}
	st, err := store.Open(ctx, cfg.db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, fl.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.db, fl.Arg(0))
	return nil
}

// users manages accounts from the command line: add, list, set-password.
func users(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: academy users add|import|list|set-password [flags]")
	}
	sub, args := args[0], args[1:]
	fl, cfg := newFlags("users "+sub, getenv, stderr)
	var n accounts.NewUser
	var role, shopName string
	if sub == "add" {
		fl.StringVar(&n.Login, "login", "", "login name")
		fl.StringVar(&n.Name, "name", "", "full name")
		fl.StringVar(&role, "role", "trainee", "trainee, supervisor or admin")
		fl.StringVar(&n.ShopCode, "store", "", "store code (created if new)")
		fl.StringVar(&shopName, "store-name", "", "name of the store when it is created")
		fl.StringVar(&n.HiredOn, "hired", "", "hire date YYYY-MM-DD")
	}
	login := fl.String("user", "", "login of the user (set-password)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "import":
		if fl.NArg() != 1 {
			return errors.New("usage: academy users import FILE.csv")
		}
		data, err := os.ReadFile(fl.Arg(0)) // #nosec G703 G304 -- the operator names the file to import on their own command line
		if err != nil {
			return err
		}
		creds, problems, err := st.ImportStaffCSV(ctx, data, passwordCost, func() string { return randomSecret(9) })
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			fmt.Fprintf(stderr, "%s: refused, nothing was imported:\n", fl.Arg(0))
			for _, p := range problems {
				fmt.Fprintf(stderr, "  %s\n", p.Error())
			}
			return errSilent
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "imported %d users; initial passwords (shown once):\n", len(creds))
		for _, c := range creds {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Login, c.Password, c.Name)
		}
		return tw.Flush()
	case "list":
		list, err := st.Users(ctx, 0)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tNAME\tROLE\tSTORE\tACTIVE")
		for _, u := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", u.Login, u.Name, u.Role, u.ShopName, u.Active)
		}
		return tw.Flush()
	case "add":
		n.Role = accounts.Role(role)
		if n.Password, err = readPassword(getenv, stdout); err != nil {
			return err
		}
		if err := n.Validate(); err != nil {
			return fieldsError(err)
		}
		if n.ShopCode != "" {
			if shopName == "" {
				shopName = n.ShopCode
			}
			if _, err := st.EnsureShop(ctx, n.ShopCode, shopName); err != nil {
				return err
			}
		}
		hash, err := accounts.HashPassword(n.Password, passwordCost)
		if err != nil {
			return err
		}
		u, err := st.CreateUser(ctx, n, hash)
		if err != nil {
			return fieldsError(err)
		}
		_ = st.Audit(ctx, store.AuditEntry{Action: "user.create", Object: "user:" + u.Login, After: "cli"})
		fmt.Fprintf(stdout, "added %s (%s)\n", u.Login, u.Role)
		return nil
	case "set-password":
		u, _, err := st.UserByLogin(ctx, *login)
		if err != nil {
			return fmt.Errorf("no user %q", *login)
		}
		pw, err := readPassword(getenv, stdout)
		if err != nil {
			return err
		}
		if msg := accounts.PasswordProblem(pw); msg != "" {
			return errors.New(msg)
		}
		hash, err := accounts.HashPassword(pw, passwordCost)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		_ = st.Audit(ctx, store.AuditEntry{Action: "user.password", Object: "user:" + u.Login, After: "cli"})
		fmt.Fprintf(stdout, "password of %s changed; their sessions were ended\n", u.Login)
		return nil
	}
	return fmt.Errorf("unknown users command %q", sub)
}

// readPassword takes the password from ACADEMY_PASSWORD (for scripts) or the first line of
// standard input, so it never appears in the process list.
func readPassword(getenv func(string) string, stdout io.Writer) (string, error) {
	if pw := getenv("ACADEMY_PASSWORD"); pw != "" {
		return pw, nil
	}
	fmt.Fprint(stdout, "password: ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password given on standard input or in ACADEMY_PASSWORD")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func fieldsError(err error) error {
	var f failure.Fields
	if errors.As(err, &f) {
		var parts []string
		for k, v := range f {
			parts = append(parts, k+": "+v)
		}
		return errors.New(strings.Join(parts, "; "))
	}
	return err
}

// questionsCommand handles `gift parse FILE`, `aiken parse FILE` and `gift export COURSE`.
func questionsCommand(format string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: academy %s parse FILE", format)
	}
	sub, args := args[0], args[1:]
	fl, cfg := newFlags(format+" "+sub, getenv, stderr)
	if err := fl.Parse(args); err != nil {
		return err
	}
	switch {
	case sub == "parse" && fl.NArg() == 1:
		src, err := os.ReadFile(fl.Arg(0)) // #nosec G703 G304 -- the operator names the file to parse on their own command line
		if err != nil {
			return err
		}
		parse := quiz.ParseGIFT
		if format == "aiken" {
			parse = quiz.ParseAiken
		}
		qs, errs := parse(src)
		if qs == nil {
			qs = []quiz.Question{}
		}
		if errs == nil {
			errs = []quiz.Error{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{"questions": qs, "errors": errs}); err != nil {
			return err
		}
		if len(errs) > 0 {
			return errSilent
		}
		return nil
	case sub == "export" && format == "gift" && fl.NArg() == 1:
		cat, err := loadCatalog(cfg, stderr)
		if err != nil {
			return err
		}
		co, ok := cat.Course(fl.Arg(0))
		if !ok {
			return fmt.Errorf("no course %q", fl.Arg(0))
		}
		var qs []quiz.Question
		for _, m := range co.Modules {
			qs = append(qs, quiz.Question{Type: quiz.Category, Category: "$course$/" + co.Title + "/" + m.Title})
			for _, b := range m.Questions {
				qs = append(qs, b.Question)
			}
		}
		return quiz.WriteGIFT(stdout, qs)
	}
	return fmt.Errorf("usage: academy %s parse FILE | academy gift export COURSE", format)
}
