//! `vocabulary!`: a fixed list of values, each with a stable code (stored,
//! and spoken by the API and the command line) and a label for people, in
//! the order forms list them.

/// Declares an enum of fixed values with `ALL`, `as_str`, `label` and
/// `parse` (by stable code), serialised as its snake_case code.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $label:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// Stable code.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),* } }
            /// Human label.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            /// Parses a stable code.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }
    };
}

pub(crate) use vocabulary;
