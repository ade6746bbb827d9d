#!/usr/bin/env python3
# decode_api.py - prints the calls a fuzz_api input makes, one per line,
# as tests/fuzz/fuzz_api.c reads them (keep the two in step): for
# turning a crash input into a regression test. Usage: decode_api.py FILE
import sys,struct
d=open(sys.argv[1],'rb').read()
i=0
def u8():
    global i
    if i>=len(d): return 0
    i+=1; return d[i-1]
def u16(): a=u8(); return a|u8()<<8
def u32(): a=u16(); return a|u16()<<16
def u64(): a=u32(); return a|u32()<<32
h0=u8();h1=u8(); lo = (2**64-2**24) if h0&8 else (2**32 if h0&16 else 0)
print("backend",["tree","array","bitmap"][h0%3],"top" if h0&4 else "bottom","pool",h1,"lo",hex(lo))
def addr():
    m=u8(); off=u32()%2**24
    if m&1: off&=~0xfff
    if m&6==6: return u64()
    return lo+off
def size():
    m=u8()
    if m&3==0: return u8()
    if m&3==1: return 0x1000*(1+u8()%64)
    if m&3==2: return u32()%(1<<20)
    return u64() if m&4 else 1+u16()
def nid():
    v=u8()
    if v<240: return v%4
    if v==255: return -5
    return -1 if v<250 else v-240
n=0
while i<len(d) and n<256:
    n+=1
    op=u8(); o=op%16
    if o in (0,1): a=nid();b=addr();s=size()%(1<<20); print(n,"add",a,hex(b),hex(s))
    elif o==2: print(n,"remove",hex(addr()),hex(size()))
    elif o==3: print(n,"reserve",hex(addr()),hex(size()))
    elif o==4: print(n,"reserve_loose",hex(addr()),hex(size()))
    elif o in (5,6,7,8):
        k=u8(); sz=size(); al=0 if k<64 else (1<<(k%20) if k<240 else k)
        mn=addr() if u8()&1 else 0; mx=addr() if u8()&1 else 0
        print(n,"alloc size",hex(sz),"align",hex(al),"min",hex(mn),"max",hex(mx),"nid",nid(),"flags",hex(u8()&0x3f))
    elif o in (9,10):
        k=u8(); print(n,"free k",k, "" if k<200 else (hex(addr()),hex(size())))
    else:
        m=o-11+((op>>4)&1)*3
        if m==0: print(n,"set_distance",nid(),nid(),u8())
        elif m==1: print(n,"add_node",nid())
        elif m==2: x=addr();s=size();print(n,"set_node",hex(x),hex(s),nid())
        elif m==3: print(n,"set_access_limit", hex(addr()) if u8()&1 else 0)
        elif m==4: print(n,"finalize")
        elif m==5: print(n,"refuse", hex(addr()) if u8()&1 else 0)
        elif m==6: print(n,"release_all?", u8()>=224)
        else: print(n,"release_metadata?", u8()>=224)
