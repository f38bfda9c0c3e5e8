//! States are types: one macro declares a status, kind, state, outcome or
//! role as an enum with its stored code and its Chinese label, once. The code
//! is what the database column and the JSON carry; reading an unknown code is
//! an error ([`UnknownState`]), never a silent default.

/// A stored or submitted code that names no variant of a state enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{what}：“{code}”")]
pub struct UnknownState {
    /// The enum's Chinese name ("会议状态").
    pub what: &'static str,
    pub code: String,
}

/// What every state enum is: its stored code.
pub trait State: Copy + 'static {
    /// The stored code.
    fn code(self) -> &'static str;
}

/// A state's code as an SQL literal (`'held'`), for SQL texts that name a
/// state: the text is built from the enum, so no hand-written code can drift
/// from it. Codes are plain identifiers (checked when the enum compiles, by
/// [`plain_code`]),
/// so quoting cannot be escaped.
pub fn sql<T: State>(state: T) -> String {
    format!("'{}'", state.code())
}

/// Whether a code is a plain identifier: lowercase ASCII letters, digits and
/// `_`. Every state's codes are checked at compile time.
pub const fn plain_code(code: &str) -> bool {
    let b = code.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

/// Several states' codes as an SQL list (`('probationary', 'full')`).
pub fn sql_in<T: State>(states: &[T]) -> String {
    let codes: Vec<String> = states.iter().map(|s| sql(*s)).collect();
    format!("({})", codes.join(", "))
}

/// Declares a state enum:
///
/// ```
/// xianfeng_core::state_enum! {
///     /// Life cycle of a thing.
///     pub enum Phase ("阶段") {
///         Open = ("open", "进行中"),
///         Closed = ("closed", "已结束"),
///     }
/// }
/// assert_eq!(Phase::Open.as_str(), "open");
/// assert_eq!(Phase::read("closed").unwrap(), Phase::Closed);
/// assert!(Phase::read("gone").unwrap_err().to_string().contains("阶段"));
/// assert_eq!(serde_json::to_string(&Phase::Closed).unwrap(), "\"closed\"");
/// ```
///
/// It derives `Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord`
/// (declaration order) and gives `ALL`,
/// `as_str` (the code), `label` (Chinese), `parse` (`Option`), `read`
/// (`Result`, for stored values), `Display` (the label), `FromStr`,
/// `TryFrom<String>`, the TEXT column mapping (with core's `sqlx` feature,
/// which store turns on: a row field typed with the state reads its code and
/// an unknown code fails the read), and
/// serde as the code (an unknown code is a deserialization error).
#[macro_export]
macro_rules! state_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $var:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $var ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$(stringify!($var)),+].len()] = [$($name::$var),+];
            /// What this kind of state is called ("会议状态").
            pub const WHAT: &'static str = $what;
            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $code),+ }
            }
            /// The Chinese label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$var => $label),+ }
            }
            /// The variant with this code, if any (for optional filters).
            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$var),)+ _ => None }
            }
            /// The variant with this code; an unknown code is an error.
            pub fn read(code: &str) -> ::std::result::Result<$name, $crate::states::UnknownState> {
                $name::parse(code).ok_or_else(|| $crate::states::UnknownState { what: $what, code: code.to_string() })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::states::UnknownState;
            fn from_str(code: &str) -> ::std::result::Result<$name, Self::Err> {
                $name::read(code)
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::states::UnknownState;
            fn try_from(code: String) -> ::std::result::Result<$name, Self::Error> {
                $name::read(&code)
            }
        }

        const _: () = { $( assert!($crate::states::plain_code($code), "a state's code must be a plain identifier"); )+ };

        impl $crate::states::State for $name {
            fn code(self) -> &'static str {
                self.as_str()
            }
        }

        $crate::__state_column!($name);

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<$name, D::Error> {
                let code = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::read(&code).map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// The TEXT column mapping of a state (store turns on core's `sqlx` feature):
/// a row field typed with the state reads its code, an unknown code failing
/// the read; binding writes the code.
#[cfg(feature = "sqlx")]
#[doc(hidden)]
#[macro_export]
macro_rules! __state_column {
    ($name:ident) => {
        impl<DB: $crate::__sqlx::Database> $crate::__sqlx::Type<DB> for $name
        where
            String: $crate::__sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as $crate::__sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as $crate::__sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: $crate::__sqlx::Database> $crate::__sqlx::Decode<'r, DB> for $name
        where
            String: $crate::__sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as $crate::__sqlx::Database>::ValueRef<'r>,
            ) -> ::std::result::Result<$name, $crate::__sqlx::error::BoxDynError> {
                let code = <String as $crate::__sqlx::Decode<'r, DB>>::decode(value)?;
                Ok($name::read(&code)?)
            }
        }
    };
}

#[cfg(not(feature = "sqlx"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __state_column {
    ($name:ident) => {};
}

#[cfg(test)]
mod tests {
    crate::state_enum! {
        enum Light ("信号灯") {
            Red = ("red", "红灯"),
            Green = ("green", "绿灯"),
        }
    }

    #[test]
    fn a_state_reads_only_its_own_codes() {
        assert_eq!(Light::ALL, [Light::Red, Light::Green]);
        assert_eq!(Light::WHAT, "信号灯");
        assert_eq!(Light::read("green").unwrap(), Light::Green);
        assert_eq!(Light::Green.label(), "绿灯");
        assert_eq!(Light::Red.to_string(), "红灯");
        let e = Light::read("Green").unwrap_err();
        assert_eq!(e.to_string(), "未知的信号灯：“Green”");
        assert!(Light::parse("").is_none());
        assert_eq!(serde_json::to_string(&Light::Red).unwrap(), "\"red\"");
        assert_eq!(serde_json::from_str::<Light>("\"green\"").unwrap(), Light::Green);
        assert!(serde_json::from_str::<Light>("\"blue\"").unwrap_err().to_string().contains("未知的信号灯"));
        assert_eq!(Light::try_from("red".to_string()).unwrap(), Light::Red);
        assert!(Light::try_from("amber".to_string()).is_err());
        for l in Light::ALL {
            assert_eq!(Light::read(l.as_str()).unwrap(), l);
        }
        assert_eq!(super::sql(Light::Red), "'red'");
        assert!(super::plain_code("pending_out") && !super::plain_code("it's") && !super::plain_code(""));
        assert_eq!(super::sql_in(&[Light::Red, Light::Green]), "('red', 'green')");
    }
}
