// A small HTTP server, as Go services are written: net/http on its own goroutines,
// which Go's runtime multiplexes on threads (clone), parks on futexes, preempts with
// signals (SIGURG through tgkill), and feeds from epoll. /hello/NAME greets, /sum adds
// the numbers in the body, /quit ends the server after answering.
//
//	httpserver PORT
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
)

func main() {
	var served int64
	mux := http.NewServeMux()
	mux.HandleFunc("/hello/", func(w http.ResponseWriter, r *http.Request) {
		n := atomic.AddInt64(&served, 1)
		fmt.Fprintf(w, "hello %s (%d)\n", strings.TrimPrefix(r.URL.Path, "/hello/"), n)
	})
	mux.HandleFunc("/sum", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var sum int64
		for _, f := range strings.Fields(string(body)) {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				http.Error(w, "not a number: "+f, http.StatusBadRequest)
				return
			}
			sum += v
		}
		// spin a little on every CPU Go sees, so its scheduler has something to do
		done := make(chan int64)
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			go func(k int64) {
				var x int64
				for j := int64(0); j < 200000; j++ {
					x += j ^ k
				}
				done <- x
			}(int64(i))
		}
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			<-done
		}
		fmt.Fprintf(w, "%d\n", sum)
	})
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "bye after %d\n", atomic.LoadInt64(&served))
		w.(http.Flusher).Flush()
		go func() { os.Exit(0) }()
	})
	if err := http.ListenAndServe(":"+os.Args[1], mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
