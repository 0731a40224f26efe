# runs a command; prints wall and the whole machine's busy CPU seconds
read -r _ u n s i w x y z < /proc/stat; B=$((u+n+s+x+y)); I=$((i+w)); S=$(date +%s.%N)
"$@"
read -r _ u n s i w x y z < /proc/stat; E=$(date +%s.%N)
echo "wall $(echo "$E - $S" | bc | cut -c1-5) s, busy cpu $(( (u+n+s+x+y-B) / 100 )) s, idle cpu $(( (i+w-I) / 100 )) s"
