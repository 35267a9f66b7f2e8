// Go's runtime stops a goroutine that loops without a function call by sending its
// thread SIGURG (async preemption), for the garbage collector's stop-the-world and for
// fairness. In a VM with several vCPUs that thread computes on another vCPU, where only
// an interrupt can bring the signal in (docs/threads.md, "Interrupting a busy CPU").
// The output is the same on every run.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

func main() {
	var stop atomic.Bool
	var spins atomic.Uint64
	done := make(chan struct{})
	for i := 0; i < runtime.NumCPU(); i++ {
		go func() {
			n := uint64(0)
			for !stop.Load() {
				n++ // no call in the loop: no cooperative preemption point
			}
			spins.Add(n)
			done <- struct{}{}
		}()
	}
	time.Sleep(50 * time.Millisecond) // the spinners hold every P
	for i := 0; i < 3; i++ {
		runtime.GC() // stops the world: each spinner must be preempted by a signal
	}
	fmt.Println("three collections with every CPU busy")
	start := time.Now()
	time.Sleep(20 * time.Millisecond) // the timer fires though the spinners run
	fmt.Println("slept:", time.Since(start) >= 20*time.Millisecond)
	stop.Store(true)
	for i := 0; i < runtime.NumCPU(); i++ {
		<-done
	}
	fmt.Println("spinners stopped:", spins.Load() > 0)
}
