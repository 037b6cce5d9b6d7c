//! The function tracers' events as trace-cmd prints them: function-graph
//! entries, leaves (an entry folded with its exit) and exits from
//! `lib/trace-cmd/trace-ftrace.c`, function events from libtraceevent's
//! `plugin_function.c`.

use std::io::Write;

use super::events::Decoder;

/// `print_graph_overhead`: the mark before a duration.
fn overhead(out: &mut Vec<u8>, ns: u64) {
    out.extend_from_slice(match ns {
        n if n > 1_000_000_000 => b"$ ",
        n if n > 1_000_000 => b"# ",
        n if n > 100_000 => b"! ",
        n if n > 10_000 => b"+ ",
        _ => b"  ",
    });
}

/// `print_graph_duration`: `us.nnn us` padded to the `|` column.
fn duration(out: &mut Vec<u8>, ns: u64) {
    let start = out.len();
    let _ = write!(out, "{}", ns / 1000);
    if out.len() - start < 7 {
        let _ = write!(out, ".{:03}", ns % 1000);
    }
    let len = out.len() - start;
    out.extend_from_slice(b" us ");
    out.extend(std::iter::repeat_n(b' ', 7usize.saturating_sub(len)));
    out.extend_from_slice(b"|  ");
}

/// ` (ret=…)`: errors in decimal, anything else in hex.
fn retval(out: &mut Vec<u8>, v: u64) {
    if v >= (-4095i64) as u64 {
        let _ = write!(out, " (ret={})", v as i64);
    } else {
        let _ = write!(out, " (ret=0x{v:x})");
    }
}

impl Decoder {
    fn func_and_depth(&mut self, data: &[u8]) -> Option<(u64, u64)> {
        Some((
            self.field_val(data, "func")?,
            self.field_val(data, "depth")?,
        ))
    }

    fn indent(out: &mut Vec<u8>, depth: u64) {
        out.extend(std::iter::repeat_n(b' ', (depth.min(4096) * 2) as usize));
    }

    /// A call whose exit comes later.
    pub(super) fn graph_nested(&mut self, out: &mut Vec<u8>, data: &[u8]) {
        out.extend_from_slice(b"  ");
        out.extend_from_slice(b"           |  ");
        let Some((func, depth)) = self.func_and_depth(data) else {
            return out.push(b'!');
        };
        let retfunc = self.field_val(data, "retaddr").and_then(|a| self.sym(a));
        Self::indent(out, depth);
        match (self.sym(func), retfunc) {
            (Some(name), Some(r)) => {
                out.extend_from_slice(self.name(name));
                out.extend_from_slice(b"() /* <-");
                out.extend_from_slice(self.name(r));
                out.extend_from_slice(b" */ {");
            }
            (Some(name), None) => {
                out.extend_from_slice(self.name(name));
                out.extend_from_slice(b"() {");
            }
            (None, Some(r)) => {
                let _ = write!(out, "{func:x}() /* <-");
                out.extend_from_slice(self.name(r));
                out.extend_from_slice(b" */ {");
            }
            // trace-cmd prints only this when the address has no name.
            (None, None) => out.extend_from_slice(b") {"),
        }
    }

    /// An entry folded with its exit: `f();` with the duration.
    pub(super) fn graph_leaf(&mut self, out: &mut Vec<u8>, data: &[u8], exit: &[u8]) {
        let (Some(ret), Some(call)) = (
            self.exit_val(exit, "rettime"),
            self.exit_val(exit, "calltime"),
        ) else {
            return out.push(b'!');
        };
        let rv = self.exit_val(exit, "retval");
        let retfunc = self.field_val(data, "retaddr").and_then(|a| self.sym(a));
        let ns = ret.wrapping_sub(call);
        overhead(out, ns);
        duration(out, ns);
        let Some((func, depth)) = self.func_and_depth(data) else {
            return out.push(b'!');
        };
        Self::indent(out, depth);
        match self.sym(func) {
            Some(name) => {
                out.extend_from_slice(self.name(name));
                out.extend_from_slice(b"();");
            }
            None => {
                let _ = write!(out, "{func:x}();");
            }
        }
        if let Some(r) = retfunc {
            out.extend_from_slice(b" /* <-");
            out.extend_from_slice(self.name(r));
            out.extend_from_slice(b" */");
        }
        if let Some(v) = rv {
            retval(out, v);
        }
    }

    /// `}` with the call's duration.
    pub(super) fn graph_exit(&mut self, out: &mut Vec<u8>, data: &[u8]) {
        let (Some(ret), Some(call)) = (
            self.exit_val(data, "rettime"),
            self.exit_val(data, "calltime"),
        ) else {
            return out.push(b'!');
        };
        let ns = ret.wrapping_sub(call);
        overhead(out, ns);
        duration(out, ns);
        let Some(depth) = self.exit_val(data, "depth") else {
            return out.push(b'!');
        };
        Self::indent(out, depth);
        out.push(b'}');
        if let Some(v) = self.exit_val(data, "retval") {
            retval(out, v);
        }
    }

    /// `func <-- parent`, indented by the plugin's guess of the depth.
    pub(super) fn function(&mut self, out: &mut Vec<u8>, cpu: u32, data: &[u8]) {
        let (Some(ip), Some(pip)) = (
            self.field_val(data, "ip"),
            self.field_val(data, "parent_ip"),
        ) else {
            return out.push(b'!');
        };
        let (func, parent) = (self.sym(ip), self.sym(pip));
        let index = match parent {
            Some(p) => {
                let (p, f) = (self.name(p).to_vec(), func.map(|f| self.name(f).to_vec()));
                self.stack_index(cpu, &p, f.as_deref())
            }
            None => 0,
        };
        out.extend(std::iter::repeat_n(b' ', index * 3));
        match func {
            Some(f) => out.extend_from_slice(self.name(f)),
            None => {
                let _ = write!(out, "0x{ip:x}");
            }
        }
        out.extend_from_slice(b" <-- ");
        match parent {
            Some(p) => out.extend_from_slice(self.name(p)),
            None => {
                let _ = write!(out, "0x{pip:x}");
            }
        }
    }

    /// `add_and_get_index` of `plugin_function.c`.
    pub(super) fn stack_index(&mut self, cpu: u32, parent: &[u8], child: Option<&[u8]>) -> usize {
        let cpu = cpu as usize;
        if cpu > 4096 {
            return 0;
        }
        if self.fstack.len() <= cpu {
            self.fstack.resize(cpu + 1, Vec::new());
        }
        let stack = &mut self.fstack[cpu];
        let put = |stack: &mut Vec<Option<Vec<u8>>>, pos: usize, name: Option<&[u8]>| {
            if let Some(n) = name {
                if stack.len() <= pos {
                    stack.resize(pos + 1, None);
                }
                stack[pos] = Some(n.to_vec());
            }
        };
        let found = stack
            .iter()
            .take_while(|s| s.is_some())
            .position(|s| s.as_deref() == Some(parent));
        match found {
            Some(i) => {
                put(stack, i + 1, child);
                i
            }
            None => {
                put(stack, 0, Some(parent));
                put(stack, 1, child);
                0
            }
        }
    }
}
