#!/usr/bin/env python3
# Start, end and span of each test class from an xUnit v3 XML report:
#   ./Astralytiq.Tests -xml /tmp/t.xml   (in tests/Astralytiq.Tests/bin/Debug/net10.0, services up)
#   python3 tools/test-timeline.py /tmp/t.xml slow      # the 25 longest classes
#   python3 tools/test-timeline.py /tmp/t.xml order     # every class by start
import sys, xml.etree.ElementTree as ET, collections, datetime
t = ET.parse(sys.argv[1]).getroot()
def p(s): return datetime.datetime.fromisoformat(s.replace('Z','+00:00'))
classes = collections.defaultdict(lambda: [None,None,0,0.0])
allstart=None
for a in t.iter('assembly'):
    allstart = p(a.get('start-rtf'))
for c in t.iter('collection'):
    pass
for test in t.iter('test'):
    s = test.get('start-rtf'); f = test.get('finish-rtf')
    if not s: continue
    s=p(s); f=p(f)
    cls = test.get('type').split('.')[-1]
    e = classes[cls]
    e[0] = s if e[0] is None or s<e[0] else e[0]
    e[1] = f if e[1] is None or f>e[1] else e[1]
    e[2]+=1; e[3]+=float(test.get('time'))
rows = sorted(classes.items(), key=lambda kv: kv[1][0])
t0 = min(v[0] for v in classes.values())
print("t0 offset from assembly start", (t0-allstart).total_seconds())
mode = sys.argv[2] if len(sys.argv)>2 else 'slow'
if mode=='slow':
    for k,v in sorted(classes.items(), key=lambda kv: -(kv[1][1]-kv[1][0]).total_seconds())[:25]:
        print(f"{k:45s} start {(v[0]-t0).total_seconds():6.1f} end {(v[1]-t0).total_seconds():6.1f} span {(v[1]-v[0]).total_seconds():6.1f} n {v[2]:3d} sum {v[3]:6.1f}")
else:
    for k,v in rows:
        print(f"{k:45s} start {(v[0]-t0).total_seconds():6.1f} end {(v[1]-t0).total_seconds():6.1f} span {(v[1]-v[0]).total_seconds():6.1f} n {v[2]:3d} sum {v[3]:6.1f}")
    # concurrency per 10s bucket: number of tests running
    end = max(v[1] for v in classes.values())
    n = int((end-t0).total_seconds()//10)+1
    busy=[0.0]*n
    for test in t.iter('test'):
        s=test.get('start-rtf')
        if not s: continue
        s=(p(s)-t0).total_seconds(); f=(p(test.get('finish-rtf'))-t0).total_seconds()
        for b in range(int(s//10), int(f//10)+1):
            lo=max(s,b*10); hi=min(f,b*10+10)
            if hi>lo: busy[b]+=hi-lo
    print(' '.join(f"{b/10:.1f}" for b in busy))
