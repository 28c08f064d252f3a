// Build: GO111MODULE=off go build -o /tmp/body-gap bench/kubernetes/body-gap.go (standard library only).
// gap: an HTTP/2 TLS server that, per request, measures the time between its handler's start (the
// HEADERS frame processed, as the API server's request timer starts) and the end of the request body
// (END_STREAM), i.e. what a client's HEADERS->DATA gap adds to the server's own time. Also a client
// mode sending the same PATCHes with Go's net/http (kubectl's transport).
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

var mu sync.Mutex
var gaps = map[string][]time.Duration{}

func main() {
	mode := flag.String("mode", "server", "server|client")
	certOut := flag.String("cert", "", "PEM file the server writes its certificate to (the client reads it)")
	addrFile := flag.String("addr", "", "file the server writes its host:port to (the client reads it)")
	n := flag.Int("n", 200, "")
	bodyFile := flag.String("body", "", "")
	flag.Parse()
	if *mode == "client" {
		client(*certOut, *addrFile, *n, *bodyFile)
		return
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	os.WriteFile(*certOut, certPEM, 0600)
	kb, _ := x509.MarshalECPrivateKey(key)
	cert, _ := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	answer := bytes.Repeat([]byte("x"), 6000)
	mux := http.NewServeMux()
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for ua, g := range gaps {
			sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
			var sum time.Duration
			for _, d := range g {
				sum += d
			}
			fmt.Fprintf(w, "%-40s n=%d mean %.3f ms p50 %.3f p90 %.3f p99 %.3f max %.3f ms\n", ua, len(g),
				float64(sum.Microseconds())/1000/float64(len(g)), ms(g[len(g)/2]), ms(g[len(g)*9/10]), ms(g[len(g)*99/100]), ms(g[len(g)-1]))
		}
		gaps = map[string][]time.Duration{}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		io.ReadAll(r.Body)
		d := time.Since(t0)
		ua := r.UserAgent()
		if i := strings.Index(ua, " "); i > 0 {
			ua = ua[:i]
		}
		ua += " " + r.Proto
		mu.Lock()
		gaps[ua] = append(gaps[ua], d)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write(answer)
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0600)
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}}
	srv.ServeTLS(ln, "", "")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func client(certFile, addrFile string, n int, bodyFile string) {
	pemb, _ := os.ReadFile(certFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemb)
	addr, _ := os.ReadFile(addrFile)
	body, _ := os.ReadFile(bodyFile)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	start := time.Now()
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("PATCH", "https://"+string(addr)+"/apis/apps/v1/namespaces/x/statefulsets/s?fieldManager=a&force=false", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/apply-patch+yaml")
		req.Header.Set("User-Agent", "go-client")
		resp, err := c.Do(req)
		if err != nil {
			panic(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	fmt.Printf("go client: %d requests, %.3f ms per request\n", n, float64(time.Since(start).Microseconds())/1000/float64(n))
}
