package pushbench

import (
	"net"
	"sync"
	"testing"
	"time"
)

// delayProxy forwards TCP connections to a target, delivering every byte a
// fixed delay after it was read, in each direction: a link with that one-way
// latency and no bandwidth limit (the round trip is twice the delay).
type delayProxy struct {
	net.Listener
	target string
	delay  time.Duration
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startProxy(tb testing.TB, target string, delay time.Duration) *delayProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &delayProxy{Listener: ln, target: target, delay: delay, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

// Close stops accepting, cuts every connection and waits for the copies.
func (p *delayProxy) Close() error {
	err := p.Listener.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *delayProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		p.wg.Add(1)
		go p.handle(c, s)
	}
}

func (p *delayProxy) handle(c, s net.Conn) {
	defer p.wg.Done()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(s, c) }()
	go func() { defer wg.Done(); p.pipe(c, s) }()
	wg.Wait()
	c.Close()
	s.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// chunk is what one read returned, and when.
type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each chunk delay after it was read; at src's end
// it half-closes dst, and a failed write closes both.
func (p *delayProxy) pipe(dst, src net.Conn) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 64<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at.Add(p.delay)))
		if _, err := dst.Write(c.b); err != nil {
			dst.Close()
			src.Close()
			break
		}
	}
	for range q { // the reader ends once src is closed
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}
