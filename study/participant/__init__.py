"""The participant surface: invitation and open-enrolment links, the pages of a session."""
