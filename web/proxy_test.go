package web

import (
	"net/http/httptest"
	"testing"
)

// TestClientAddressTrustsOnlyConfiguredProxies: without trusted proxies X-Forwarded-For is
// ignored (an attacker cannot reset the login throttle by changing it); with a trusted load
// balancer its header names the client, but only on connections from that balancer.
func TestClientAddressTrustsOnlyConfiguredProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 10.0.0.5, 192.168.10.0/24 ")
	if err != nil || len(trusted) != 2 {
		t.Fatalf("parse: %v %v", trusted, err)
	}
	if _, err := ParseTrustedProxies("10.0.0.5,nonsense"); err == nil {
		t.Fatal("a bad entry was accepted")
	}
	cases := []struct {
		name    string
		proxies string
		remote  string
		xff     string
		want    string
	}{
		{"no proxies: header ignored", "", "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"no proxies: loopback is not trusted either", "", "127.0.0.1:5000", "198.51.100.1", "127.0.0.1"},
		{"trusted proxy names the client", "10.0.0.5", "10.0.0.5:5000", "198.51.100.1", "198.51.100.1"},
		{"client's own forged entry before the proxy's is skipped", "10.0.0.5", "10.0.0.5:5000", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"untrusted connection: header ignored", "10.0.0.5", "10.0.0.6:5000", "198.51.100.1", "10.0.0.6"},
		{"private network not trusted by default", "10.0.0.5", "192.168.1.1:5000", "198.51.100.1", "192.168.1.1"},
		{"trusted range", "192.168.10.0/24", "192.168.10.77:5000", "198.51.100.7", "198.51.100.7"},
	}
	for _, c := range cases {
		nets, err := ParseTrustedProxies(c.proxies)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = c.remote
		r.Header.Set("X-Forwarded-For", c.xff)
		if got := clientAddress(nets)(r); got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
	}
}
