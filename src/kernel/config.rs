//! A kernel's build configuration: `.config`, `/boot/config-*` or
//! `/proc/config.gz`. Values are normalised so two kernels compare by what
//! was built (`y`, `m`, unset), not by how the file spelled it.

use std::collections::BTreeMap;

/// One option's value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigValue {
    /// Built in (`=y`).
    Y,
    /// Built as a module (`=m`).
    M,
    /// `# CONFIG_X is not set`, or absent from the file.
    Unset,
    /// A string or number (`CONFIG_LOCALVERSION="-rt"`, `CONFIG_HZ=250`).
    Value(String),
}

impl ConfigValue {
    /// Code behind the option is built (into the kernel or as a module).
    pub fn builds(&self) -> bool {
        matches!(self, ConfigValue::Y | ConfigValue::M)
    }

    /// As the config file would say it after `=`.
    pub fn text(&self) -> String {
        match self {
            ConfigValue::Y => "y".into(),
            ConfigValue::M => "m".into(),
            ConfigValue::Unset => "is not set".into(),
            ConfigValue::Value(v) => v.clone(),
        }
    }
}

/// One option as the file sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// The value.
    pub value: ConfigValue,
    /// 1-based line.
    pub line: u32,
    /// The line as written (evidence quotes it).
    pub text: String,
}

/// A parsed config.
#[derive(Debug, Clone, Default)]
pub struct KernelConfig {
    /// Where it was read from.
    pub path: String,
    /// `CONFIG_X` → its entry.
    pub options: BTreeMap<String, ConfigEntry>,
}

impl KernelConfig {
    /// The option's value; an option the file does not name is unset.
    pub fn value(&self, name: &str) -> ConfigValue {
        self.options
            .get(name)
            .map_or(ConfigValue::Unset, |e| e.value.clone())
    }
}

/// What one line of a config is.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigLine<'a> {
    /// `CONFIG_X=…` or `# CONFIG_X is not set`.
    Option(&'a str, ConfigValue),
    /// A comment or a blank line.
    Comment,
    /// Anything else (not a config line).
    Other,
}

/// Classify one line.
pub fn parse_line(line: &str) -> ConfigLine<'_> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("# ") {
        if let Some(name) = rest.strip_suffix(" is not set") {
            if is_option_name(name) {
                return ConfigLine::Option(name, ConfigValue::Unset);
            }
        }
        return ConfigLine::Comment;
    }
    if t.is_empty() || t.starts_with('#') {
        return ConfigLine::Comment;
    }
    let Some((name, value)) = t.split_once('=') else {
        return ConfigLine::Other;
    };
    if !is_option_name(name) {
        return ConfigLine::Other;
    }
    let v = match value {
        "y" => ConfigValue::Y,
        "m" => ConfigValue::M,
        "n" => ConfigValue::Unset,
        other => ConfigValue::Value(other.to_string()),
    };
    ConfigLine::Option(name, v)
}

fn is_option_name(name: &str) -> bool {
    name.strip_prefix("CONFIG_")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_a_config() {
        assert_eq!(
            parse_line("CONFIG_XDP_SOCKETS=y"),
            ConfigLine::Option("CONFIG_XDP_SOCKETS", ConfigValue::Y)
        );
        assert_eq!(
            parse_line("# CONFIG_XDP_SOCKETS is not set"),
            ConfigLine::Option("CONFIG_XDP_SOCKETS", ConfigValue::Unset)
        );
        assert_eq!(
            parse_line("CONFIG_LOCALVERSION=\"-retval\""),
            ConfigLine::Option(
                "CONFIG_LOCALVERSION",
                ConfigValue::Value("\"-retval\"".into())
            )
        );
        assert_eq!(
            parse_line("# Automatically generated file"),
            ConfigLine::Comment
        );
        assert_eq!(parse_line(""), ConfigLine::Comment);
        assert_eq!(parse_line("hello world"), ConfigLine::Other);
        assert_eq!(parse_line("XDP=y"), ConfigLine::Other);
    }
}
