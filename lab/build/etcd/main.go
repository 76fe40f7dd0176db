// Command etcd is the upstream etcd server, built from the Go module proxy at the version pinned in
// lab/versions.env (the Debian package is too old for current kube-apiservers).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
