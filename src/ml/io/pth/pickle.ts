/**
 * A restricted Python unpickler (protocols 0–5) that calls nothing from the file.
 *
 * Python's pickle turns GLOBAL + REDUCE into "import module.name and call it", which is how a
 * malicious .pth runs code. Here every global is first checked against a deny list (os, posix,
 * subprocess, builtins eval/exec/getattr/__import__, …: refused at once with a message naming it);
 * a global the caller knows (`globals`) is a plain TypeScript function the caller wrote; any other
 * global becomes an inert `PyObject` placeholder that records its name and arguments, so a training
 * checkpoint's hyper-parameters (argparse.Namespace, Lightning's AttributeDict) do not stop a load.
 *
 * Values: None → null, bool, int → number (or bigint beyond 2^53), float → number, str → string,
 * bytes → Uint8Array, list → PyList (an Array), tuple → PyTuple (a frozen Array), dict →
 * PyDict (a Map), set → Set. Limits (memo size, mark depth, container nesting) make malformed or
 * hostile input fail fast with a message instead of exhausting the worker.
 */

/** A pickled `list`. */
export class PyList extends Array<unknown> {}
/** A pickled `tuple` (frozen). */
export type PyTuple = readonly unknown[] & { readonly __tuple: true };
/** A pickled `dict` (or OrderedDict): insertion-ordered, keys as unpickled. */
export class PyDict extends Map<unknown, unknown> {
  /** Attributes set by BUILD (e.g. a state_dict's `_metadata`); never interpreted. */
  attrs: unknown = undefined;
}
/** An instance of a global this reader does not interpret: name, constructor args and state. */
export class PyObject {
  constructor(
    readonly global: string,
    readonly args: readonly unknown[] = [],
    public state: unknown = undefined,
  ) {}
}
/** A global as pushed by GLOBAL / STACK_GLOBAL before it is called. */
export class PyGlobal {
  constructor(readonly name: string) {}
}

/** A function for a known global: gets the unpickled arguments, returns the value to push. */
export type GlobalFn = (args: readonly unknown[]) => unknown;

export interface UnpickleOptions {
  /** Known globals by dotted name ('torch._utils._rebuild_tensor_v2'). */
  globals?: Record<string, GlobalFn>;
  /** Resolves BINPERSID / PERSID ids (torch: storages). Without it a persistent id is refused. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Told the name of each global kept as an inert placeholder. */
  onPlaceholder?: (name: string) => void;
  /** Memo entries allowed (default 250,000: a ResNet-50 checkpoint with optimiser state uses a few thousand). */
  maxMemo?: number;
  /** MARK nesting allowed (default 1,000). */
  maxMarkDepth?: number;
  /** Container nesting allowed in the result (default 200). */
  maxNesting?: number;
}

/** Plain-Python globals every pickle may use: they build values and run nothing. */
const PLAIN_GLOBALS: Record<string, GlobalFn> = {
  'collections.OrderedDict': (a) => {
    const d = new PyDict();
    if (Array.isArray(a[0]))
      for (const kv of a[0]) if (Array.isArray(kv) && kv.length === 2) d.set(kv[0], kv[1]);
    return d;
  },
  // Protocols 0–2 write bytes as _codecs.encode(latin1 text, 'latin1').
  '_codecs.encode': (a) => {
    if (typeof a[0] !== 'string' || (a[1] !== 'latin1' && a[1] !== 'latin-1'))
      throw new PickleError('_codecs.encode with arguments other than (text, "latin1")');
    return Uint8Array.from(a[0], (c) => c.charCodeAt(0));
  },
  'builtins.bytes': (a) => (a.length === 0 ? new Uint8Array(0) : new Uint8Array(a[0] as number[])),
  'builtins.bytearray': (a) =>
    a.length === 0
      ? new Uint8Array(0)
      : a[0] instanceof Uint8Array
        ? a[0].slice()
        : Uint8Array.from(String(a[0]), (c) => c.charCodeAt(0)),
  'builtins.set': (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
  'builtins.frozenset': (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
};

/** Names whose mere mention refuses the file: they execute code or reach the system. */
const DENIED_MODULES = [
  'os',
  'posix',
  'nt',
  'subprocess',
  'sys',
  'shutil',
  'socket',
  'pty',
  'importlib',
  'runpy',
  'ctypes',
  'multiprocessing',
  'code',
  'codeop',
  'pickle',
  '_pickle',
  'marshal',
  'webbrowser',
  'signal',
  'io',
  '_io',
  'pathlib',
  'tempfile',
  'platform',
  'asyncio',
  'urllib',
  'http',
  'ftplib',
  'smtplib',
  'telnetlib',
];
const DENIED_BUILTINS = new Set([
  'eval',
  'exec',
  'compile',
  'getattr',
  'setattr',
  'delattr',
  '__import__',
  'open',
  'input',
  'globals',
  'locals',
  'vars',
  'breakpoint',
  'memoryview',
  'help',
]);

/** Why a global may not be named in a file, or null when it is harmless to name. */
export function deniedGlobal(module: string, name: string): string | null {
  const top = module.split('.')[0];
  if (DENIED_MODULES.includes(top)) {
    const shown =
      top === 'posix' || top === 'nt' ? `os.${name} (${module}.${name})` : `${module}.${name}`;
    return shown;
  }
  if ((module === 'builtins' || module === '__builtin__') && DENIED_BUILTINS.has(name))
    return `builtins.${name}`;
  if (/^__.*__$/.test(name) && name !== '__main__') return `${module}.${name}`;
  return null;
}

/** Thrown for input that is not a well-formed pickle, or one this reader refuses. */
export class PickleError extends Error {}

function tuple(items: unknown[]): PyTuple {
  return Object.freeze(items) as unknown as PyTuple;
}

/** Whether `v` is an unpickled tuple. */
export function isTuple(v: unknown): v is PyTuple {
  return Array.isArray(v) && !(v instanceof PyList) && Object.isFrozen(v);
}

/**
 * Unpickles `bytes` (one pickle, up to STOP). Throws PickleError for a denied global, a malformed
 * stream or a limit passed; the message says which.
 */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions = {}): unknown {
  const globals = opts.globals ?? {};
  const maxMemo = opts.maxMemo ?? 250_000;
  const maxMark = opts.maxMarkDepth ?? 1_000;
  const maxNesting = opts.maxNesting ?? 200;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let pos = 0;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const depth = new WeakMap<object, number>();

  const need = (n: number) => {
    if (pos + n > bytes.length)
      throw new PickleError(`the pickle is truncated (needs ${n} bytes at offset ${pos})`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw new PickleError(`a length of ${v} bytes exceeds the file`);
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('the pickle is truncated (a text line has no end)');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0)
      throw new PickleError(`the pickle pops an empty stack at offset ${pos}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0)
      throw new PickleError(`the pickle reads an empty stack at offset ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) throw new PickleError(`the pickle closes a MARK it never opened (offset ${pos})`);
    stack = prev;
    return items;
  };
  const nest = (container: object, children: readonly unknown[]) => {
    let d = 1;
    for (const c of children) {
      if (c !== null && typeof c === 'object') d = Math.max(d, (depth.get(c) ?? 1) + 1);
    }
    const prev = depth.get(container) ?? 1;
    const next = Math.max(prev, d);
    if (next > maxNesting)
      throw new PickleError(`the pickle nests containers deeper than ${maxNesting} levels`);
    depth.set(container, next);
  };
  const put = (i: number, v: unknown) => {
    if (!memo.has(i) && memo.size >= maxMemo)
      throw new PickleError(`the pickle's memo grows past ${maxMemo} entries`);
    memo.set(i, v);
  };
  const get = (i: number) => {
    if (!memo.has(i))
      throw new PickleError(`the pickle reads memo entry ${i}, which was never set`);
    return memo.get(i);
  };
  const global = (module: string, name: string) => {
    const denied = deniedGlobal(module, name);
    if (denied)
      throw new PickleError(
        `refused: the file's pickle names ${denied}, which would run code on load (a safe file holds only tensors and plain values)`,
      );
    return new PyGlobal(`${module}.${name}`);
  };
  const call = (fn: unknown, args: readonly unknown[]): unknown => {
    if (!(fn instanceof PyGlobal))
      throw new PickleError(`the pickle calls something that is not a global (offset ${pos})`);
    const plainName = fn.name.replace(/^__builtin__\./, 'builtins.');
    const known = globals[fn.name] ?? PLAIN_GLOBALS[plainName];
    if (known) return known(args);
    opts.onPlaceholder?.(fn.name);
    return new PyObject(fn.name, args);
  };
  const setItems = (d: unknown, items: unknown[]) => {
    if (items.length % 2) throw new PickleError('SETITEMS with an odd number of items');
    if (d instanceof PyDict) {
      for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
      nest(d, items);
    } else if (d instanceof PyObject) {
      // An OrderedDict-like object we do not interpret (e.g. Lightning's AttributeDict): keep items.
      const st = d.state instanceof PyDict ? d.state : new PyDict();
      for (let i = 0; i < items.length; i += 2) st.set(items[i], items[i + 1]);
      d.state = st;
    } else throw new PickleError('SETITEM(S) on something that is not a dict');
  };
  const appendItems = (l: unknown, items: unknown[]) => {
    if (l instanceof PyList) {
      for (const x of items) l.push(x);
      nest(l, items);
    } else if (l instanceof PyObject) {
      /* list subclass we do not interpret: items dropped */
    } else throw new PickleError('APPEND(S) on something that is not a list');
  };
  const int = (s: string) => {
    const t = s.trim().replace(/L$/, '');
    if (t === '00') return false;
    if (t === '01') return true;
    if (!/^[-+]?\d+$/.test(t)) throw new PickleError(`not an integer: ${JSON.stringify(s)}`);
    const b = BigInt(t);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(b)
      : b;
  };
  const longBytes = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  };
  const pushMark = () => {
    if (marks.length >= maxMark)
      throw new PickleError(`the pickle nests MARKs deeper than ${maxMark}`);
    marks.push(stack);
    stack = [];
  };
  const build = (obj: unknown, state: unknown) => {
    if (obj instanceof PyDict) obj.attrs = state;
    else if (obj instanceof PyObject) obj.state = state;
    // BUILD on a value a known global returned (e.g. a tensor's backward-hook state): ignored.
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1)
          throw new PickleError(`the pickle ends with ${stack.length} values on its stack, not 1`);
        return stack[0];
      case 0x28: // MARK
        pushMark();
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(longBytes(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(longBytes(take(u32())));
        break;
      case 0x49: // INT
        stack.push(int(line()));
        break;
      case 0x4c: // LONG
        stack.push(int(line()));
        break;
      case 0x47: // BINFLOAT
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: // FLOAT
        stack.push(Number.parseFloat(line()));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape)
        stack.push(
          line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string, b: string) =>
            String.fromCodePoint(Number.parseInt(a ?? b, 16)),
          ),
        );
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x53: {
        // STRING: a quoted repr
        const s = line().trim();
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: {
        // TUPLE
        const items = popMark();
        const t = tuple(items);
        nest(t, items);
        stack.push(t);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) throw new PickleError('TUPLE on a short stack');
        const items = stack.splice(stack.length - n, n);
        const t = tuple(items);
        nest(t, items);
        stack.push(t);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push(new PyList());
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        const l = new PyList();
        appendItems(l, items);
        stack.push(l);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new PyDict();
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleError('ADDITEMS on something that is not a set');
        for (const x of items) s.add(x);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x70: // PUT
        put(int(line()) as number, top());
        break;
      case 0x71: // BINPUT
        put(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        put(u32(), top());
        break;
      case 0x94: // MEMOIZE
        put(memo.size, top());
        break;
      case 0x67: // GET
        stack.push(get(int(line()) as number));
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new PickleError('STACK_GLOBAL with a module or name that is not a string');
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!Array.isArray(args))
          throw new PickleError('REDUCE with arguments that are not a tuple');
        stack.push(call(fn, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args))
          throw new PickleError('NEWOBJ with arguments that are not a tuple');
        stack.push(call(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args))
          throw new PickleError('NEWOBJ_EX with arguments that are not a tuple');
        stack.push(call(cls, args));
        break;
      }
      case 0x69: {
        // INST
        const module = line();
        const name = line();
        const g = global(module, name);
        stack.push(call(g, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = items.shift();
        stack.push(call(cls, items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad)
          throw new PickleError('the pickle refers to outside data (a persistent id)');
        stack.push(opts.persistentLoad(pid));
        break;
      }
      case 0x50: {
        // PERSID
        const pid = line();
        if (!opts.persistentLoad)
          throw new PickleError('the pickle refers to outside data (a persistent id)');
        stack.push(opts.persistentLoad(pid));
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84:
        throw new PickleError('the pickle uses the copyreg extension registry, which is refused');
      default:
        throw new PickleError(
          `not a pickle this reader understands: opcode 0x${op.toString(16).padStart(2, '0')} at offset ${pos - 1}`,
        );
    }
  }
}
