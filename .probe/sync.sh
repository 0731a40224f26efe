# usage: sync.sh CONNECTION [--full]
: > /tmp/pgp/log.mark; L=$(wc -l < /tmp/pgp/log)
psql -q -h 127.0.0.1 -p 5544 -U postgres dst -c "TRUNCATE items_sync" 
S=$(date +%s.%N)
PGPW=x /usr/bin/time -f "rss %M KB" node /work/main/bin/retl.js sync "$@" --json --config /tmp/pws/retl.yaml | head -c 400; echo
E=$(date +%s.%N); echo "wall $(echo "$E - $S" | bc)"
tail -n +$((L+1)) /tmp/pgp/log | grep -o "duration: [0-9.]* ms .\{0,140\}" | awk '{d=$2; $1="";$2="";$3=""; k=substr($0,1,60); s[k]+=d; n[k]++} END {for (k in s) printf "%8.0f ms %4d× %s\n", s[k], n[k], k}' | sort -rn | head -20
