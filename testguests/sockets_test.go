// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package testguests

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSockets runs the sockets guest's client and server over loopback TCP
// and over a Unix socket, each side natively or under gemu: a guest server
// with a native client, a native server with a guest client, and both under
// gemu must print what two native processes print.
func TestSockets(t *testing.T) {
	if *update {
		t.Skip("-update only rewrites the golden files of bin/")
	}
	if !hostRunsGuests() {
		t.Skip("the pairings need native runs; host is not linux/amd64")
	}
	prog, err := filepath.Abs(filepath.Join("bin", "sockets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"tcp", "unix"} {
		t.Run(kind, func(t *testing.T) {
			ref := socketPair(t, prog, kind, false, false)
			for _, p := range []struct {
				name           string
				server, client bool // under gemu
			}{
				{"gemu-server-native-client", true, false},
				{"native-server-gemu-client", false, true},
				{"gemu-both", true, true},
			} {
				t.Run(p.name, func(t *testing.T) {
					got := socketPair(t, prog, kind, p.server, p.client)
					for i, side := range []string{"server", "client"} {
						if got[i] != ref[i] {
							t.Errorf("%s output differs:\n--- native pair\n%s--- this pair\n%s", side, ref[i], got[i])
						}
					}
				})
			}
		})
	}
}

// socketPair runs a server and then a client; it returns their outputs
// (the server's first line, which names the port, left out).
func socketPair(t *testing.T, prog, kind string, gemuServer, gemuClient bool) [2]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	dir := t.TempDir()
	argv := func(underGemu bool, args ...string) []string {
		a := []string{prog}
		if underGemu {
			a = append(append([]string{gemuBin}, strings.Fields(*gemuOpts)...), prog)
		}
		return append(a, args...)
	}
	path := filepath.Join(dir, "sock")
	serverArgs := []string{kind + "-server"}
	if kind == "unix" {
		serverArgs = append(serverArgs, path)
	}
	sa := argv(gemuServer, serverArgs...)
	server := exec.CommandContext(ctx, sa[0], sa[1:]...)
	server.Dir, server.Env = dir, guestEnv()
	out, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serverErr bytes.Buffer
	server.Stderr = &serverErr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Wait()
	r := bufio.NewReader(out)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("server (gemu %v) did not start: %v\n%s", gemuServer, err, serverErr.String())
	}
	clientArgs := []string{kind + "-client", path}
	if kind == "tcp" {
		port, ok := strings.CutPrefix(strings.TrimSpace(first), "port ")
		if !ok {
			t.Fatalf("server said %q", first)
		}
		clientArgs[1] = port
	}
	ca := argv(gemuClient, clientArgs...)
	client := exec.CommandContext(ctx, ca[0], ca[1:]...)
	client.Dir, client.Env = dir, guestEnv()
	var clientOut, clientErr bytes.Buffer
	client.Stdout, client.Stderr = &clientOut, &clientErr
	if err := client.Run(); err != nil {
		t.Errorf("client (gemu %v): %v\n%s%s", gemuClient, err, clientOut.String(), clientErr.String())
	}
	rest, _ := io.ReadAll(r)
	if err := server.Wait(); err != nil {
		t.Errorf("server (gemu %v): %v\n%s%s", gemuServer, err, rest, serverErr.String())
	}
	return [2]string{string(rest), clientOut.String()}
}
