// Build: GO111MODULE=off go build -o /tmp/apply-replay bench/kubernetes/apply-replay.go (standard library only;
// ApplyProbe runs it for the ws-go variant with -Dprobe.replay=/tmp/apply-replay).
// replay sends a workspace's server-side applies as the Hangar provider does (the owner first, then
// its dependents at once, their owner references carrying the owner's uid from its answer), through
// Go's net/http over HTTP/2: kubectl's transport, the provider's request pattern and bytes.
//
// Input: DIR/plan.txt, one line per request: "WORKSPACE ROLE URL BODYFILE" (ROLE owner|dependent;
// a workspace's owner line comes first). A dependent's body has UID_PLACEHOLDER where the owner's
// uid goes. Prints wall time per workspace.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

type req struct{ ws, role, url, body string }

func main() {
	dir := flag.String("dir", "", "plan directory")
	token := flag.String("token-file", "", "bearer token file")
	ca := flag.String("ca", "", "CA file")
	serial := flag.Bool("serial", false, "dependents one after another")
	flag.Parse()
	tok, _ := os.ReadFile(*token)
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(*ca)
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	client := &http.Client{Transport: tr}
	f, _ := os.Open(*dir + "/plan.txt")
	var order []string
	groups := map[string][]req{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Fields(sc.Text())
		if len(p) != 4 {
			continue
		}
		b, err := os.ReadFile(p[3])
		if err != nil {
			panic(err)
		}
		if _, ok := groups[p[0]]; !ok {
			order = append(order, p[0])
		}
		groups[p[0]] = append(groups[p[0]], req{p[0], p[1], p[2], string(b)})
	}
	send := func(r req, body string) []byte {
		hr, _ := http.NewRequest("PATCH", r.url, bytes.NewReader([]byte(body)))
		hr.Header.Set("Content-Type", "application/apply-patch+yaml")
		hr.Header.Set("Accept", "application/json")
		hr.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
		resp, err := client.Do(hr)
		if err != nil {
			panic(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 201 {
			panic(fmt.Sprintf("%s: %d %s", r.url, resp.StatusCode, out))
		}
		if resp.ProtoMajor != 2 {
			panic("not HTTP/2")
		}
		return out
	}
	start := time.Now()
	for _, ws := range order {
		g := groups[ws]
		ans := send(g[0], g[0].body)
		var m struct {
			Metadata struct{ UID string } `json:"metadata"`
		}
		json.Unmarshal(ans, &m)
		var wg sync.WaitGroup
		for _, d := range g[1:] {
			body := strings.ReplaceAll(d.body, "UID_PLACEHOLDER", m.Metadata.UID)
			if *serial {
				send(d, body)
				continue
			}
			wg.Add(1)
			go func(d req, body string) { defer wg.Done(); send(d, body) }(d, body)
		}
		wg.Wait()
	}
	d := time.Since(start)
	fmt.Printf("go replay: %d workspaces in %.3f s, %.2f ms per workspace\n", len(order), d.Seconds(), d.Seconds()*1000/float64(len(order)))
}
