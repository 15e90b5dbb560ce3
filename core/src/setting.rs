//! What every setting shares: the error that names it, and the settings that are one of a few
//! names.

use std::fmt;

/// A configuration the core refuses: the setting, as the user wrote its name, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting's name or path (`issuers[1].jwks_uri`, `ISSUERS[1].jwks_uri`).
    pub setting: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    /// `invalid configuration: SETTING: problem`, as `Display` writes it (concatenated: the
    /// module then needs none of `core::fmt`).
    pub fn message(&self) -> String {
        ["invalid configuration: ", &self.setting, ": ", &self.problem].concat()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ConfigError {}

pub(crate) fn err(setting: impl Into<String>, problem: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.into(), problem: problem.into() }
}

/// A setting that is one of a few names: the names, and the value each stands for. The one
/// place a name maps to its value, for the JSON configuration and the environment alike.
pub trait Named: Copy + PartialEq + 'static {
    /// Each name and the value it stands for.
    const NAMES: &'static [(&'static str, Self)];

    /// The name of `self` as the configuration writes it.
    fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(_, v)| *v == self).map_or("", |(n, _)| n)
    }

    /// The value `text` names (the default when there is none), or an error listing the names.
    fn from_optional(setting: &str, text: Option<&str>) -> Result<Self, ConfigError>
    where
        Self: Default,
    {
        text.map_or(Ok(Self::default()), |text| Self::from_setting(setting, text))
    }

    /// The value `text` names, or an error listing the names.
    fn from_setting(setting: &str, text: &str) -> Result<Self, ConfigError> {
        let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
        position(setting, text, &names).map(|i| Self::NAMES[i].1)
    }
}

/// For tests of each [`Named`] type: every name reads back as its value and names it, and the
/// empty text is refused.
#[cfg(test)]
pub(crate) fn assert_names_read_back<T: Named + std::fmt::Debug>() {
    for &(name, value) in T::NAMES {
        assert_eq!(value.name(), name);
        assert_eq!(T::from_setting("s", name), Ok(value));
    }
    assert!(T::from_setting("s", "").is_err());
}

/// Where `text` is among `names`, or an error listing them (one body for every [`Named`]).
fn position(setting: &str, text: &str, names: &[&str]) -> Result<usize, ConfigError> {
    names.iter().position(|n| *n == text).ok_or_else(|| {
        let names: Vec<String> = names.iter().map(|n| ["`", n, "`"].concat()).collect();
        err(setting, ["`", text, "` is not ", &names.join(" or ")].concat())
    })
}
