package store

import (
	"errors"
	"testing"
	"time"

	"aftercare/failure"
)

func TestOfflineHoursAreLoggedThenSignedOffOnceAndAudited(t *testing.T) {
	st := openTest(t)
	ctx := t.Context()
	people := drillPeople(t, st)
	trainee, boss := people["t1"], people["s1"]
	day := time.Date(2026, 3, 2, 15, 30, 0, 0, time.FixedZone("CST", 8*3600))
	id, err := st.LogOffline(ctx, NewOfflineEntry{UserID: trainee.ID, Activity: "shadowing", Hours: 2.5, OnDate: day, Note: "跟岗", ActorID: boss.ID})
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.OfflineEntry(ctx, id)
	if err != nil || e.SignedOff || e.LoggedByName != "主管一" || e.Hours != 2.5 || e.OnDate.Format(time.DateOnly) != "2026-03-02" || e.Note != "跟岗" {
		t.Fatalf("logged entry %+v, %v", e, err)
	}
	if err := st.SignOffOffline(ctx, id, people["s1b"].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SignOffOffline(ctx, id, boss.ID); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("second sign-off: %v, want a conflict", err)
	}
	if err := st.SignOffOffline(ctx, id+100, boss.ID); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}
	all, err := st.OfflineEntries(ctx, []int64{trainee.ID, people["t2"].ID})
	if err != nil || len(all[trainee.ID]) != 1 || !all[trainee.ID][0].SignedOff || all[trainee.ID][0].SignedOffByName != "主管一乙" || len(all[people["t2"].ID]) != 0 {
		t.Fatalf("entries %+v, %v", all, err)
	}
	actions := newestActions(t, st)
	if len(actions) < 2 || actions[0] != "offline.signoff" || actions[1] != "offline.log" {
		t.Fatalf("audit %v", actions)
	}
}

func TestClearanceIsRecordedOnceAndFoundByCode(t *testing.T) {
	st := openTest(t)
	ctx := t.Context()
	people := drillPeople(t, st)
	trainee := people["t1"]
	first := time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)
	got, err := st.RecordClearance(ctx, Clearance{UserID: trainee.ID, ClearedAt: first, Hours: 41.5, FinalScore: 92.5, Code: "AAAA-BBBB-CCCC"})
	if err != nil || !got.ClearedAt.Equal(first) || got.Code != "AAAA-BBBB-CCCC" {
		t.Fatalf("first record %+v, %v", got, err)
	}
	// Evaluating the person again later changes nothing: the first clearance stands.
	again, err := st.RecordClearance(ctx, Clearance{UserID: trainee.ID, ClearedAt: first.Add(time.Hour), Hours: 45, FinalScore: 99, Code: "DDDD-EEEE-FFFF"})
	if err != nil || !again.ClearedAt.Equal(first) || again.Code != "AAAA-BBBB-CCCC" || again.Hours != 41.5 {
		t.Fatalf("second record %+v, %v", again, err)
	}
	c, u, err := st.ClearanceByCode(ctx, "AAAA-BBBB-CCCC")
	if err != nil || u.ID != trainee.ID || u.ShopName != "一店" || c.FinalScore != 92.5 {
		t.Fatalf("by code %+v %+v %v", c, u, err)
	}
	if _, _, err := st.ClearanceByCode(ctx, "DDDD-EEEE-FFFF"); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	all, err := st.Clearances(ctx, []int64{trainee.ID, people["t2"].ID})
	if err != nil || len(all) != 1 {
		t.Fatalf("clearances %+v, %v", all, err)
	}
	n := 0
	for _, a := range newestActions(t, st) {
		if a == "clearance.record" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d clearance audit rows, want 1", n)
	}
}

// newestActions is the audit log's actions, newest first.
func newestActions(t *testing.T, st *Store) []string {
	t.Helper()
	log, err := st.AuditLog(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(log))
	for i, e := range log {
		out[i] = e.Action
	}
	return out
}
