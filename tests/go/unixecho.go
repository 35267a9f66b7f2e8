// An AF_UNIX echo within one Go process (tests/lib/unix_cases.sh): net.Listen("unix")
// on a path and on an abstract name with client goroutines, then a unixgram exchange.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
)

func serve(l net.Listener, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		c, err := l.Accept()
		if err != nil {
			fmt.Println("accept:", err)
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			r := bufio.NewReader(c)
			line, _ := r.ReadString('\n')
			fmt.Fprintf(c, "echo %s", line)
		}(c)
	}
}

func run(network, addr string) {
	l, err := net.Listen(network, addr)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	const clients = 8
	var wg sync.WaitGroup
	wg.Add(1)
	go serve(l, clients, &wg)
	var mu sync.Mutex
	var got []string
	var cw sync.WaitGroup
	for i := 0; i < clients; i++ {
		cw.Add(1)
		go func(i int) {
			defer cw.Done()
			c, err := net.Dial(network, addr)
			if err != nil {
				fmt.Println("dial:", err)
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "client %d\n", i)
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			got = append(got, line)
			mu.Unlock()
		}(i)
	}
	cw.Wait()
	wg.Wait()
	l.Close()
	sort.Strings(got)
	fmt.Printf("%s: %d replies, first %q\n", network, len(got), got[0])
}

func main() {
	path := "/tmp/unixgo.sock"
	os.Remove(path)
	run("unix", path)
	if _, err := os.Stat(path); err == nil {
		fmt.Println("socket file removed by Close: false")
	} else {
		fmt.Println("socket file removed by Close: true")
	}
	run("unix", "@cloister-go")
	a, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@cloister-gram", Net: "unixgram"})
	if err != nil {
		fmt.Println("unixgram:", err)
		os.Exit(1)
	}
	b, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: "@cloister-gram", Net: "unixgram"})
	if err != nil {
		fmt.Println("dial unixgram:", err)
		os.Exit(1)
	}
	b.Write([]byte("datagram"))
	buf := make([]byte, 64)
	n, _, err := a.ReadFromUnix(buf)
	fmt.Printf("unixgram: %q %v\n", buf[:n], err)
}
