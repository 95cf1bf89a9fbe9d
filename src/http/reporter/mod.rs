//! The pages of people who report or complain: the forms, the receipt, the follow-up pages.
//! They work without JavaScript, load nothing from another origin, and set no cookie before a
//! claim-code sign-in.

pub mod followup;
pub mod forms;
pub mod views;
