"""Words the demo draws from: people, companies, ticket subjects, log messages.

Kept apart from the code that uses them so the database history and the log files talk
about the same desk (the same agents, the same kinds of tickets).
All addresses use reserved example domains and fictional phone ranges.
"""

from __future__ import annotations

from typing import NamedTuple


class Person(NamedTuple):
    username: str
    first_name: str
    last_name: str


#: Staff who appear as actors in the history. They cannot log in (unusable passwords).
AGENTS: tuple[Person, ...] = (
    Person("priya.raman", "Priya", "Raman"),
    Person("tomas.ortega", "Tomás", "Ortega"),
    Person("hannah.becker", "Hannah", "Becker"),
    Person("kwame.mensah", "Kwame", "Mensah"),
    Person("mei.lin", "Mei", "Lin"),
    Person("jonas.lindqvist", "Jonas", "Lindqvist"),
)

#: A contractor account the admin created and later removed: its history outlives the row.
CONTRACTOR = Person("temp.contractor", "Robin", "Hale")

COMPANY_FIRST: tuple[str, ...] = (
    "Northwind",
    "Bluefin",
    "Harbor",
    "Juniper",
    "Copper",
    "Alder",
    "Granite",
    "Lumen",
    "Meridian",
    "Orchard",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Saffron",
    "Tidewater",
    "Umber",
    "Vantage",
    "Willow",
    "Yarrow",
    "Zephyr",
    "Beacon",
    "Cobalt",
    "Driftwood",
    "Ember",
    "Fjord",
    "Gull",
    "Heron",
    "Ironbark",
    "Kestrel",
    "Larch",
    "Marigold",
    "Nimbus",
)
COMPANY_SECOND: tuple[str, ...] = (
    "Analytics",
    "Dental",
    "Logistics",
    "Bakery",
    "Studio",
    "Legal",
    "Robotics",
    "Travel",
    "Clinic",
    "Outfitters",
    "Labs",
    "Foods",
    "Architects",
    "Energy",
    "Media",
    "Freight",
    "Cycles",
    "Pharmacy",
    "Print",
    "Systems",
    "Coffee",
    "Insurance",
    "Games",
    "Farms",
)
COMPANY_SUFFIX: tuple[str, ...] = ("", "", "", " Ltd", " GmbH", " Inc.", " & Co", " AB", " SARL")

PHONE_PREFIXES: tuple[str, ...] = ("+1 555-01", "+44 20 7946 0", "+61 1900 654 ")

TICKET_SUBJECTS: tuple[str, ...] = (
    "Cannot log in after password reset",
    "Invoice shows the wrong VAT rate",
    "CSV export times out for large date ranges",
    "Please change our billing email",
    "SSO login with Okta fails with error 400",
    "Two-factor codes are rejected",
    "Charged twice this month",
    "Request to upgrade to the Team plan",
    "Webhook deliveries are delayed",
    "User invited but never received the email",
    "Dashboard is slow to load in the morning",
    "How do we delete a former employee's account?",
    "API returns 429 although we are under the limit",
    "Refund for unused seats",
    "Data import stuck at 99%",
    "Reports show times in the wrong time zone",
    "Need a copy of our signed DPA",
    "Mobile app crashes when opening attachments",
    "Cannot remove old payment card",
    "Downgrade to the Starter plan at renewal",
)

RESOLUTIONS: tuple[str, ...] = (
    "Reset the MFA device after an identity check.",
    "Issued a corrected invoice; the old one was voided.",
    "Explained the export limits and sent the API alternative.",
    "Updated the billing contact as requested.",
    "Fixed the SAML audience URI in the customer's IdP settings.",
    "Refunded the duplicate charge to the original card.",
    "Plan changed; prorated difference applied to the next invoice.",
    "Resent the invitation after the customer's mail filter was adjusted.",
    "Customer confirmed the issue is gone after clearing the cache.",
    "Duplicate of an earlier ticket; merged.",
    "Raised the rate limit for the customer's API key.",
    "Sent the countersigned DPA as PDF.",
)

TICKET_NOTES: tuple[str, ...] = (
    "Called the customer back",
    "Escalated to engineering",
    "Merged duplicate ticket",
    "Sent the knowledge-base article on SSO",
)

INVOICE_NOTES: tuple[str, ...] = (
    "Sent payment reminder",
    "Approved refund",
    "Marked as paid: bank transfer received",
    "Resent invoice PDF to billing contact",
)

CUSTOMER_NOTES: tuple[str, ...] = (
    "Merged duplicate customer record",
    "Verified account owner by phone",
)
