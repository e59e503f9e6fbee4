//! A protocol's named versions, declared once.
//!
//! [`variants!`](crate::variants) declares the enum and, from the same
//! lines, the names scenario files use, one sentence on each mistake, and
//! which variant is correct; [`Variant::parse`] reads a name back. Nothing
//! is listed twice, so a name list and a parser cannot drift apart.

use crate::model::{ModelError, VariantInfo};
use std::fmt::Debug;

/// A protocol's variants (implemented by [`variants!`](crate::variants)).
pub trait Variant: Copy + Eq + Debug + Send + Sync + 'static {
    /// Every variant, in declaration order (correct first).
    const ALL: &'static [Self];
    /// Their names and descriptions, in the same order.
    const INFOS: &'static [VariantInfo];

    /// This variant's name, description and correctness.
    fn info(self) -> &'static VariantInfo {
        let i = Self::ALL.iter().position(|v| *v == self);
        &Self::INFOS[i.expect("every variant is in ALL")]
    }

    /// The variant named `name`, or an error listing those there are.
    fn parse(name: &str) -> Result<Self, ModelError> {
        match Self::INFOS.iter().position(|v| v.name == name) {
            Some(i) => Ok(Self::ALL[i]),
            None => Err(ModelError::UnknownVariant {
                found: name.to_string(),
                expected: (Self::INFOS.iter())
                    .map(|v| v.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// Declares a protocol's variants once:
///
/// ```
/// faultline_models::variants! {
///     /// Which version runs.
///     pub enum Variant {
///         /// The protocol as published.
///         Correct = ("correct", true, "the protocol as published"),
///         /// Acknowledges before the write is durable.
///         EarlyAck = ("early-ack", false, "acknowledges a write before it is fsynced"),
///     }
/// }
/// use faultline_models::variant::Variant as _;
/// assert_eq!(Variant::parse("early-ack").unwrap(), Variant::EarlyAck);
/// assert!(!Variant::EarlyAck.info().correct);
/// ```
#[macro_export]
macro_rules! variants {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $variant:ident = ($text:literal, $correct:literal, $desc:literal)
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[doc = $doc])* $variant ),+
        }

        impl $crate::variant::Variant for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            const INFOS: &'static [$crate::model::VariantInfo] = &[$(
                $crate::model::VariantInfo {
                    name: $text,
                    description: $desc,
                    correct: $correct,
                }
            ),+];
        }
    };
}

crate::variants! {
    /// The variant set of a protocol that ships no buggy variants.
    pub enum OnlyCorrect {
        /// The protocol as written.
        Correct = ("correct", true, "the protocol as written"),
    }
}

#[cfg(test)]
mod tests {
    use super::Variant as _;

    crate::variants! {
        /// Test variants.
        enum V {
            /// Right.
            Right = ("right", true, "does it right"),
            /// Wrong.
            Wrong = ("wrong", false, "does it wrong"),
        }
    }

    #[test]
    fn names_parse_back_and_unknown_ones_list_the_choices() {
        assert_eq!(V::parse("wrong").unwrap(), V::Wrong);
        assert_eq!(V::Right.info().name, "right");
        let err = V::parse("nope").unwrap_err().to_string();
        assert!(err.contains("right, wrong"), "{err}");
    }
}
