# prof.sh CONNECTION [args]: a run with phase times (a patched copy of dist/cli.js)
python3 - <<'PY'
src=open('/work/main/dist/cli.js').read().split('\n')
out=[]
for l in src:
    if 'await run.cancellable(() => dialect.computeWork(workSpec(' in l and 'sendChanges' not in l and not out[-1].strip().startswith('const counts'):
        l = "  globalThis.T0=performance.now();" + l + " process.stderr.write('computeWork '+Math.round(performance.now()-T0)+'\\n');"
    if l.strip() == 'await warehouse.run(() => steps.flush());':
        l = " process.stderr.write('sent '+Math.round(performance.now()-T0)+'\\n');" + l
    out.append(l)
open('/work/main/dist/cli-prof.js','w').write('\n'.join(out))
PY
PGPW=x ./cpu.sh node retlp.js sync "$@" --json --config /tmp/pws/retl.yaml
rm -f /work/main/dist/cli-prof.js
