package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"aftercare/store"
	"aftercare/web"
)

// schedule runs one pass of the recurring-training scheduler (the server runs it hourly) and
// prints what it assigned; --at runs it as of midnight of a day in Asia/Shanghai, to assign a
// period ahead of time or catch up on one. Running it again assigns nothing twice.
func schedule(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("schedule", getenv, stderr)
	at := fl.String("at", "", "assign as of this day (YYYY-MM-DD, midnight Asia/Shanghai) instead of now")
	if err := fl.Parse(args); err != nil {
		return err
	}
	now := time.Now().UTC()
	if *at != "" {
		shanghai, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return err
		}
		day, err := time.ParseInLocation(time.DateOnly, *at, shanghai)
		if err != nil {
			return fmt.Errorf("--at %q: want a date YYYY-MM-DD", *at)
		}
		now = day.UTC()
	}
	cat, err := loadCatalog(cfg, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{Migrate: cfg.migrate})
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := sessionKey(ctx, st, cfg.sessionKey)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{SessionKey: key, PasswordCost: passwordCost, Logger: slog.New(slog.NewTextHandler(stderr, nil))}, st, cat)
	if err != nil {
		return err
	}
	made, err := srv.RunScheduler(ctx, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "assigned %d as of %s\n", len(made), now.Format(time.RFC3339))
	if len(made) == 0 {
		return nil
	}
	users, err := st.Users(ctx, 0)
	if err != nil {
		return err
	}
	login := map[int64]string{}
	for _, u := range users {
		login[u.ID] = u.Login
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tPROGRAMME\tPERIOD\tDUE")
	for _, a := range made {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", login[a.UserID], a.Programme, a.Period, a.DueAt.In(shanghai).Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}
