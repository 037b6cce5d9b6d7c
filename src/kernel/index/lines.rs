//! Source lines as the C preprocessor and Make read them: a line ending in
//! a backslash goes on in the next, and a gate (`#if`, `obj-$(CONFIG_X)`)
//! written over several lines is one line to them.

/// Each logical line with the 1-based number of its first physical line.
/// `glue` stands where a continuation was: nothing for C (translation
/// phase 2 splices the lines), a space for Make. A file that ends inside a
/// continuation yields what it has.
pub fn logical<'a>(text: &'a str, glue: &'a str) -> impl Iterator<Item = (u32, String)> + 'a {
    let mut lines = text.lines().enumerate();
    std::iter::from_fn(move || {
        let mut joined = String::new();
        let mut first = None;
        for (i, raw) in lines.by_ref() {
            let n = *first.get_or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
            match raw.strip_suffix('\\') {
                Some(part) => {
                    joined.push_str(part);
                    joined.push_str(glue);
                }
                None => {
                    joined.push_str(raw);
                    return Some((n, joined));
                }
            }
        }
        first.map(|n| (n, joined))
    })
}

#[cfg(test)]
mod tests {
    use super::logical;

    #[test]
    fn continuations_join() {
        let text = "a\n#if defined(X) && \\\n    defined(Y)\nobj-$(C) += \\\n\tb.o\nlast \\";
        let c: Vec<_> = logical(text, "").collect();
        assert_eq!(c[0], (1, "a".to_string()));
        assert_eq!(c[1], (2, "#if defined(X) &&     defined(Y)".to_string()));
        assert_eq!(c[2], (4, "obj-$(C) += \tb.o".to_string()));
        assert_eq!(c[3], (6, "last ".to_string()));
        let m: Vec<_> = logical(text, " ").collect();
        assert_eq!(m[2], (4, "obj-$(C) +=  \tb.o".to_string()));
        assert_eq!(logical("", "").count(), 0);
    }
}
