"""The text of the second bulk-mail set (`bench/make_bulk_ham2.py`): senders, subjects and lines
of legitimate mail people signed up for, and of spam wearing the same clothes.

Written for this set by a second writer who had not read the first set's text, so the two sets
are two ideas of what commercial mail looks like, not one. Slots in braces are filled by the
generator; each kind has more lines than one message uses, drawn independently.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------- ham
# kind -> senders (brand, domain), subjects, body lines (a message takes 3-5 of them)
HAM: dict[str, dict[str, list]] = {
    "bank": {
        "senders": [("Harbourside Savings Bank", "harboursidebank.com"),
                    ("First Cascade Credit Union", "firstcascadecu.org"),
                    ("Meridian Trust", "meridiantrust.co.uk"),
                    ("Pinecrest National Bank", "pinecrestbank.com")],
        "subjects": ["Your {month} statement is ready",
                     "Your account statement for the period ending {date}",
                     "Important changes to your account terms",
                     "Your savings rate is changing on {date}",
                     "Monthly account summary - checking ending {last4}",
                     "Reminder: your credit card payment is due {date}"],
        "lines": [
            "Your statement for the account ending in {last4} is now available. The closing "
            "balance on {date} was ${amount}.",
            "To view it, sign in to online banking at {site} and choose Statements. We never "
            "ask for your password or PIN by email.",
            "From {date} the interest rate on Everyday Saver accounts will change from {pct}% "
            "to {pct2}% AER. You do not need to do anything; if you would like to move your "
            "money, there is no charge for doing so.",
            "Your minimum payment of ${small} is due on {date}. If you have already paid, "
            "thank you, and please ignore this reminder.",
            "Deposits: ${amount2}   Withdrawals: ${amount3}   Fees: $0.00",
            "We are updating the terms and conditions of your account. The full text, with "
            "the changes marked, is in the Documents section of online banking.",
            "Paperless statements save about 40 sheets of paper a year per customer. You can "
            "switch back to paper at any time in your settings.",
            "Questions? Call us on {phone}, Monday to Saturday, 8am to 8pm, or visit any "
            "branch.",
            "Member FDIC. Equal Housing Lender.",
            "Savings tip of the month: an automatic transfer on payday, even a small one, "
            "adds up. Set one up under Transfers > Scheduled.",
        ],
    },
    "broker": {
        "senders": [("Ridgeway Investments", "ridgewayinvest.com"),
                    ("Calder & Finch Securities", "calderfinch.com"),
                    ("Northgate Brokerage", "northgatebrokerage.com"),
                    ("Lantern Wealth", "lanternwealth.co.uk")],
        "subjects": ["Weekly market commentary: rates, earnings and the dollar",
                     "Your {month} portfolio statement",
                     "Market close: indices end the week {updown}",
                     "Our {quarter} outlook: where we see opportunity",
                     "Trade confirmation available for account ending {last4}",
                     "Morning note: what to watch this week"],
        "lines": [
            "Equities ended the week {updown}, with the broad index moving {pct}% as investors "
            "weighed stronger earnings against the prospect of rates staying higher for longer.",
            "Bond yields rose for a third week; the ten-year closed at {pct2}%. Our strategists "
            "expect volatility to remain elevated into the central bank's next meeting.",
            "Your portfolio value on {date} was ${amount}, a change of {pct}% since last month. "
            "The full statement, with holdings and realised gains, is in your account.",
            "We continue to favour quality companies with strong balance sheets and would be "
            "cautious about chasing recent winners in the technology sector.",
            "This commentary is for information only and is not a recommendation to buy or "
            "sell any security. Past performance is not a guide to future returns. The value "
            "of investments can fall as well as rise.",
            "Commission-free trading on US stocks and ETFs is now available to all account "
            "holders; options contracts remain $0.65 each.",
            "A confirmation for your recent trade is available under Documents. Please review "
            "it and contact us within 10 days if anything looks wrong.",
            "Webinar: our chief investment officer takes questions on the outlook on {date} "
            "at 12pm ET. Reserve a place at {site}/events.",
            "Securities offered through {brand}, member SIPC. Investment products are not FDIC "
            "insured, are not bank guaranteed and may lose value.",
            "Earnings this week: four of the five largest retailers report, and guidance on "
            "holiday spending will matter more than the last quarter's numbers.",
        ],
    },
    "insure": {
        "senders": [("Bluewater Mutual Insurance", "bluewatermutual.com"),
                    ("Keystone Home & Auto", "keystonehomeauto.com"),
                    ("Oakline Life", "oaklinelife.com"),
                    ("Shield Direct", "shielddirect.co.uk")],
        "subjects": ["Your policy renewal documents",
                     "Your car insurance renews on {date}",
                     "Policy {policy}: your annual summary",
                     "Thinking about winter? Check your home cover",
                     "Your premium for the coming year",
                     "We have received your claim"],
        "lines": [
            "Your policy {policy} renews on {date}. Your premium for the next 12 months is "
            "${amount2}, payable in 12 monthly instalments of ${small}.",
            "If your circumstances have changed (a new driver, a new address, work done on "
            "the house), please let us know before the renewal date so your cover stays right.",
            "You do not need to do anything to renew; your cover continues automatically. "
            "If you would like to cancel, you can do so at no charge up to the renewal date.",
            "Your no-claims discount is now {years} years. Well done, and drive safely.",
            "Winter is when we see most claims for burst pipes. Keep the heating on low if you "
            "go away, and know where your stopcock is.",
            "Your claim reference is {policy}-C. A claims handler will contact you within two "
            "working days; there is nothing more you need to send now.",
            "Compare your cover: your documents list what is and is not included, including "
            "your excess of ${small} for each claim.",
            "Authorised and regulated by the state insurance commissioner. Calls may be "
            "recorded for training and quality purposes.",
            "Add breakdown cover for ${small} a month and get roadside help anywhere in the "
            "country, day or night.",
        ],
    },
    "utility": {
        "senders": [("Riverbend Power & Light", "riverbendpower.com"),
                    ("Clearwater Utilities", "clearwaterutilities.org"),
                    ("Northwind Energy", "northwindenergy.co.uk"),
                    ("Metro Gas Company", "metrogasco.com")],
        "subjects": ["Your {month} bill is ready to view",
                     "Your bill: ${amount2} due {date}",
                     "Planned maintenance in your area on {date}",
                     "Your energy use this month compared with similar homes",
                     "New rates take effect {date}",
                     "Your meter reading is due"],
        "lines": [
            "Your bill for account {account} is ready. Amount due: ${amount2}. Due date: {date}. "
            "If you pay by automatic payment, it will be taken on that date.",
            "You used {kwh} kWh this period, {pct}% less than the same month last year.",
            "Our crews will be replacing equipment in your neighbourhood on {date} between "
            "9am and 3pm. Your supply may be interrupted for up to two hours.",
            "From {date}, the standing charge and unit rates approved by the public utilities "
            "commission will apply. A typical household will see an increase of about {pct}%.",
            "Help is available: if you are finding it hard to pay, our assistance programme "
            "can spread payments or lower your bill. Call {phone}.",
            "Please submit a meter reading by {date} so your next bill is based on what you "
            "actually used and not on an estimate.",
            "Energy saving tip: a thermostat turned down one degree can cut heating costs by "
            "up to ten percent.",
            "Go paperless and get a $2 credit on each bill. Sign in at {site} to switch.",
            "This is a service message about your account; you receive it even if you have "
            "opted out of marketing.",
        ],
    },
    "travel": {
        "senders": [("Skylark Airways", "skylarkair.com"),
                    ("Coastline Rail", "coastlinerail.co.uk"),
                    ("Wanderway Travel", "wanderway.com"),
                    ("Blue Horizon Cruises", "bluehorizoncruises.com")],
        "subjects": ["Fares from ${small}: this week's deals from {city}",
                     "Your weekend escape starts here",
                     "{first}, our spring sale is on",
                     "Low fares to {city2} - book by {date}",
                     "Fare alert: prices have dropped on your saved route",
                     "Your boarding pass and trip details"],
        "lines": [
            "This week's fares from {city}: {city2} from ${small}, round trip, taxes included. "
            "Travel between now and the end of {month}.",
            "Sale fares are limited and may not be available on every flight. Book by {date}.",
            "Members earn double miles on every booking made this month. Log in before you "
            "book so your miles are counted.",
            "Your saved route {city} to {city2} is now ${small}, down from ${small2} when you "
            "set the alert.",
            "Hotels in {city2} from ${small} a night with free cancellation up to 48 hours "
            "before arrival.",
            "Your trip {policy}: flight departs {city} on {date}. Check in opens 24 hours before "
            "departure; your boarding pass will be in the app.",
            "Baggage: one carry-on bag and one personal item are included. Checked bags can be "
            "added online for less than at the airport.",
            "Fares shown are per person, each way unless stated, and include all taxes and "
            "fees. Seats are limited; terms apply.",
            "Cruise savings: up to 30% off selected Mediterranean sailings, and kids sail free "
            "on family cabins.",
        ],
    },
    "charity": {
        "senders": [("Clean Water Fund", "cleanwaterfund.org"),
                    ("Riverside Animal Rescue", "riversiderescue.org"),
                    ("Hope Children's Hospital Foundation", "hopechildrens.org"),
                    ("The Wild Coasts Trust", "wildcoasts.org.uk")],
        "subjects": ["{first}, your gift can be doubled until {date}",
                     "Thank you for your donation",
                     "Your {year} donation receipt",
                     "An update from the field",
                     "Will you help us reach our goal?",
                     "Meet the volunteers you made possible"],
        "lines": [
            "Thank you for your gift of ${small}. This email is your receipt; no goods or "
            "services were provided in exchange for your donation.",
            "Until {date}, a group of supporters has offered to match every donation, up to "
            "${amount}, so your gift will go twice as far.",
            "Last month your support helped us dig {years} new wells and train local teams to "
            "keep them running.",
            "We took in {kwh} animals this season, and with your help most of them are already "
            "in new homes.",
            "Every gift counts, and any amount helps. If you can, please give today at "
            "{site}/give.",
            "We are a registered charity, tax ID {account}. Donations are tax-deductible to the "
            "extent allowed by law.",
            "We spend 88 cents of every dollar on our programmes; our annual report is on our "
            "website.",
            "Prefer not to receive fundraising emails? You can choose to hear from us only "
            "about your donations.",
            "Our volunteers gave over 12,000 hours this year. Want to join them? Sign up for an "
            "orientation session near you.",
        ],
    },
    "news": {
        "senders": [("The Morning Ledger", "morningledger.com"),
                    ("Valley Herald", "valleyherald.com"),
                    ("The Weekly Review", "weeklyreview.co.uk"),
                    ("Global Desk", "globaldesk.news")],
        "subjects": ["Today's headlines: {headline}",
                     "The Evening Briefing: {headline}",
                     "Your weekend read",
                     "Breaking: {headline}",
                     "Morning Ledger: what you need to know for {date}",
                     "Your subscription: save 50% on your first year"],
        "lines": [
            "{headline}. Lawmakers left the capital late on Thursday without an agreement, and "
            "talks are expected to resume next week.",
            "In business: shares in the region's largest retailer fell after it cut its "
            "forecast, blaming a wet summer and higher costs.",
            "Opinion: why the city's new transit plan deserves a second look.",
            "Weather: cloudy with showers, highs around {kwh}F. The weekend looks drier.",
            "Sports: the home side came from behind to win 3-2 in extra time.",
            "Subscribers get unlimited access to every article, the daily crossword and our "
            "archive back to 1921. Subscribe for ${small} a month.",
            "Read the full story at {site}/news. Some articles may require a subscription.",
            "Letters: readers respond to last week's report on school funding.",
            "You are receiving this newsletter because you signed up at {site}. This edition "
            "was sent to {to}.",
            "Advertisement: Refinance now and lower your monthly payment. See rates.",
        ],
    },
    "alumni": {
        "senders": [("Westbrook University Alumni Association", "alumni.westbrook.edu"),
                    ("Harrow College", "harrowcollege.ac.uk"),
                    ("State University Foundation", "foundation.stateu.edu"),
                    ("Lakeview School of Business", "lakeviewbusiness.edu")],
        "subjects": ["Reunion weekend: registration is open",
                     "Class of {year}: news from campus",
                     "The Alumni Magazine: {month} issue",
                     "Your gift to the Annual Fund",
                     "Homecoming is {date} - join us",
                     "Career webinar for alumni: changing fields"],
        "lines": [
            "Reunion weekend is {date}. Register by the end of {month} for the early rate of "
            "${small}, which includes the Saturday dinner.",
            "This term the library reopened after two years of renovation, and the rowing team "
            "won its first championship since 1998.",
            "Alumni receive 15% off continuing education courses and free use of the career "
            "centre for life.",
            "The Annual Fund supports scholarships for {kwh} students this year. A gift of any "
            "size makes a difference, and your class is competing for the highest participation.",
            "Class notes: send us your news, a new job, a wedding, a book, and we will include "
            "it in the next issue of the magazine.",
            "Join fellow graduates for an evening reception in {city} on {date}. Drinks and "
            "light refreshments will be served.",
            "Our career webinar series continues with a panel of alumni who changed fields "
            "after ten years or more. Free for alumni.",
            "Update your contact details so we can keep you informed about events near you.",
            "You are receiving this email as a graduate of the university. Manage your email "
            "preferences in the alumni portal.",
        ],
    },
    "saas": {
        "senders": [("Cloudnest", "cloudnest.io"),
                    ("Taskgrid", "taskgrid.app"),
                    ("Pagewright", "pagewright.com"),
                    ("Backupbox", "backupbox.net")],
        "subjects": ["Your receipt from {brand} [#{policy}]",
                     "Your trial ends in 3 days",
                     "Your invoice for {month} is available",
                     "Payment failed: please update your card",
                     "New sign-in to your {brand} account",
                     "What's new in {brand}: {month} update"],
        "lines": [
            "Thanks for your payment. Amount: ${small}. Plan: Team (5 seats), billed monthly. "
            "Invoice {policy} is attached to your account under Billing.",
            "Your free trial ends on {date}. To keep your projects and files, choose a plan; "
            "otherwise your workspace will move to the free tier.",
            "We could not charge your card ending in {last4}. We will try again in 3 days; to "
            "avoid any interruption, update your payment method in Billing.",
            "A new sign-in to your account was detected from {city} on {date}. If this was you, "
            "there is nothing to do. If not, reset your password from the app.",
            "New this month: shared templates, faster search and a dark mode that follows your "
            "system setting.",
            "Upgrade to Pro for unlimited projects and priority support. Annual plans save two "
            "months.",
            "Storage used: {pct}% of 2 TB. Files in the trash count toward your quota until "
            "they are deleted permanently.",
            "Need help? Our docs are at {site}/docs and support replies within one business day.",
            "You are receiving this because you have an account with {brand}. Billing and "
            "security emails cannot be turned off.",
        ],
    },
    "loyalty": {
        "senders": [("Greenleaf Grocers Rewards", "greenleafgrocers.com"),
                    ("Fuelstop Points", "fuelstop.com"),
                    ("Grand Vista Hotels Club", "grandvistahotels.com"),
                    ("BookBarn Stars", "bookbarn.co.uk")],
        "subjects": ["You have {points} points to spend",
                     "{first}, your rewards statement for {month}",
                     "Double points this weekend",
                     "Your points expire on {date}",
                     "You have reached Gold status",
                     "A treat for you: ${small} off your next visit"],
        "lines": [
            "Your balance is {points} points, worth ${small} off your next shop.",
            "Earn double points on everything from Friday to Sunday. No coupon needed; just "
            "scan your card or app at the checkout.",
            "Points earned before {date} will expire unless you use them or earn more by then.",
            "Congratulations: you have reached Gold status. Enjoy free upgrades when available, "
            "late check-out and a welcome drink.",
            "Your personal offers this week: 20% off fresh fruit, 2 for 1 on coffee, and $5 off "
            "when you spend $50.",
            "Your member number is {account}. Show it in store or add it to your phone's wallet.",
            "Offer valid until {date}, one per member. Cannot be combined with other offers. "
            "Terms and conditions apply.",
            "Invite a friend: when they join and shop, you both get 500 bonus points.",
            "You are receiving this email as a member of our rewards programme.",
        ],
    },
    "jobs": {
        "senders": [("Careerlane", "careerlane.com"),
                    ("TalentBridge Jobs", "talentbridge.co.uk"),
                    ("Hireline", "hireline.io"),
                    ("Tech Jobs Weekly", "techjobsweekly.com")],
        "subjects": ["{count} new jobs for {role} in {city}",
                     "Your job alert: {role}",
                     "A recruiter viewed your profile",
                     "Jobs you may be interested in",
                     "Application received: {role} at {company}",
                     "Salary guide {year}: what {role}s earn"],
        "lines": [
            "{role}, {company}, {city}. Full-time, ${salary} - ${salary2} a year. Posted 2 days ago.",
            "{role} (remote), {company}. Contract, 6 months, ${small} per hour.",
            "Senior {role}, {company}, {city}. Hybrid, 3 days in the office. Easy apply.",
            "A recruiter from {company} viewed your profile this week. Profiles with a recent "
            "photo and a summary get more views.",
            "Your application for {role} at {company} has been received. The employer will "
            "contact you directly if they would like to move forward.",
            "Based on your saved search: {role} within 25 miles of {city}. Edit or delete this "
            "alert at any time.",
            "Upgrade to Premium to see who viewed your profile and how you compare with other "
            "applicants.",
            "Our salary guide shows median pay for {role}s rose {pct}% this year, with the "
            "biggest rises in {city}.",
            "We will never ask you to pay to apply for a job or to send money to an employer.",
        ],
    },
}

# ------------------------------------------------------------------------------------- voices
GREETING_2002 = ["Dear {first},", "Dear Valued Customer,", "Dear Member,", "Hello {first},",
                 "Dear {first} {last},", ""]
GREETING_TODAY = ["Hi {first},", "Hello {first},", "{first}, hi.", "", "Good morning {first},"]
SIGNOFF = ["Sincerely,\n{brand}", "The {brand} team", "Best regards,\n{signer}\n{brand}",
           "Thank you for choosing {brand}.", "Warm wishes,\n{signer}", ""]
FOOTER_2002 = [
    "----------------------------------------------------------------\n"
    "You are subscribed as {to}. To unsubscribe, send a blank message to\n"
    "{leave}, or visit {site}/unsubscribe.\n"
    "{brand}, {address}",
    "================================================================\n"
    "This message was sent to {to} because you asked to receive email\n"
    "from {brand}. If you no longer wish to receive these messages, reply\n"
    "with REMOVE in the subject line.",
    "To change your email preferences or to stop receiving these updates,\n"
    "log in to {site} and choose My Account > Email Settings.\n"
    "Copyright (c) 2002 {brand}. All rights reserved.",
]
FOOTER_TODAY = [
    "You're receiving this because you signed up at {site}. Unsubscribe | Manage preferences "
    "| View in browser\n{brand}, {address}",
    "This email was sent to {to}. Update your preferences or unsubscribe at any time.\n"
    "Privacy policy: {site}/privacy\n(c) {year} {brand}",
    "Don't want these emails? Unsubscribe in one click. Please don't reply to this message; "
    "this mailbox is not monitored.\n{brand} - {address}",
]
PREHEADER = ["A quick look at your account", "Plus: what's new this month", "Open for details",
             "Don't miss out", "Your update is inside", ""]
SIGNERS = ["Margaret Ellison", "David Osei", "Priya Raman", "Tom Becker", "Ana Lucia Reyes",
           "Jonathan Pryce", "Keiko Tanaka", "Samuel Adeyemi"]
ADDRESSES = ["PO Box 4410, Portland, OR 97208", "200 Market Street, Suite 900, Denver, CO 80202",
             "14 Quay Street, Bristol BS1 4DJ", "1 Commerce Plaza, Hartford, CT 06103",
             "88 Lakeshore Drive, Chicago, IL 60611"]
CITIES = ["Boston", "Seattle", "Denver", "Atlanta", "London", "Chicago", "Austin", "Toronto",
          "Manchester", "Phoenix", "Lisbon", "Dublin"]
ROLES = ["Data Analyst", "Software Engineer", "Registered Nurse", "Project Manager", "Accountant",
         "Warehouse Associate", "Graphic Designer", "Sales Representative"]
COMPANIES = ["Brightwater Health", "Kestrel Logistics", "Ardent Systems", "Maple & Co",
             "Solano Foods", "Northpoint Labs"]
HEADLINES = ["Budget talks stall as deadline nears", "City council approves new transit line",
             "Storm clears, leaving flooding in low-lying areas",
             "Central bank holds rates steady", "Local schools report record enrolment",
             "Hospital expansion wins final approval"]
FIRST = ["Laura", "Michael", "Grace", "Raj", "Helen", "Carlos", "Emma", "Wei", "Fiona", "Joseph",
         "Nadia", "Peter"]
LAST = ["Harper", "Lindqvist", "Mensah", "O'Brien", "Castillo", "Novak", "Fraser", "Iyer"]

# --------------------------------------------------------------------------------------- spam
# kind -> subjects, lines; senders are drawn by the generator from look-alike domains
SPAM: dict[str, dict[str, list]] = {
    "phish": {
        "brands": ["Harbour Savings", "Secure Bank Online", "Account Services", "Pinecrest Bank"],
        "subjects": ["Your account has been suspended", "Unusual sign-in activity detected",
                     "Action required: verify your account within 24 hours",
                     "Your statement is ready - confirm your details",
                     "Final notice: your online banking access will be closed"],
        "lines": [
            "We detected unusual activity on your account and have temporarily limited access. "
            "To restore full access, verify your identity within 24 hours.",
            "Click the link below and confirm your card number, expiry date and PIN: {bad}",
            "Failure to verify will result in permanent suspension of your account.",
            "For your security, please have your account number and password ready.",
            "Your statement cannot be delivered until you update your billing information.",
            "This is an automated message from the security department. Do not reply.",
        ],
    },
    "pump": {
        "brands": ["Market Insider Alert", "Smallcap Research", "Wall Street Watch",
                   "Investor Daily Picks"],
        "subjects": ["This stock could triple before Friday", "Our top pick: {ticker} is ready to explode",
                     "Market commentary: the one stock insiders are buying",
                     "URGENT investor alert: {ticker}", "Weekly outlook: huge upside in {ticker}"],
        "lines": [
            "{ticker} is trading at 12 cents and our analysts see a target of $1.50 within weeks.",
            "Insiders are buying heavily and a major announcement is expected any day now.",
            "Get in before the crowd. Last month's pick went up {pct}00% in five days.",
            "Market commentary: while the indices drift, smart money is moving into small caps "
            "with explosive potential.",
            "This newsletter is compensated ${amount} by a third party to profile {ticker}. "
            "Do your own research.",
            "Act now - momentum like this does not last. Call your broker first thing Monday.",
        ],
    },
    "warranty": {
        "brands": ["Vehicle Protection Dept", "Home Warranty Center", "Auto Coverage Services",
                   "National Insurance Savings"],
        "subjects": ["Final notice: your vehicle warranty is expiring",
                     "Your policy renewal - act today to keep coverage",
                     "Save up to 70% on your insurance premium",
                     "Your home warranty expires {date}", "Low cost life insurance, no medical exam"],
        "lines": [
            "Our records show the factory warranty on your vehicle has expired or will soon.",
            "Call {phone} today to extend your coverage before it is too late.",
            "Save up to 70% on your premium. No medical exam, no questions asked, approval "
            "guaranteed.",
            "This is your final notice. Coverage lapses at midnight unless you respond.",
            "Protect your family for just pennies a day. Rates are locked for life.",
            "To stop receiving these notices, reply with STOP.",
        ],
    },
    "prize": {
        "brands": ["Travel Rewards Desk", "Airline Prize Center", "Vacation Club Awards",
                   "Skyline Holidays"],
        "subjects": ["Congratulations! You have won a free cruise",
                     "Your 2 free airline tickets are waiting", "Claim your holiday reward",
                     "Fares from $9 - you have been selected", "Your loyalty points are about to expire - claim your prize"],
        "lines": [
            "You have been selected to receive two round-trip tickets to anywhere we fly.",
            "To claim, simply pay the small processing fee of ${small} and choose your dates.",
            "This offer expires in 48 hours. Claim now at {bad}.",
            "Your name was drawn from our loyalty member list. No purchase necessary.",
            "Enjoy 5 days and 4 nights in a luxury resort, completely free.",
            "Hurry, only {count} prizes remain.",
        ],
    },
    "fakecharity": {
        "brands": ["Disaster Relief Appeal", "Children in Need Fund", "Global Aid Foundation",
                   "Flood Victims Help"],
        "subjects": ["Urgent appeal: families need your help today",
                     "Your donation can save a life tonight",
                     "Please help - every dollar is matched", "Disaster relief: give now"],
        "lines": [
            "Thousands have lost everything. Please send what you can today.",
            "Donations can be made by wire transfer or gift card to our coordinator, {signer}.",
            "Reply with your card details and the amount you wish to give.",
            "100% of your gift goes directly to the victims. Every dollar matched.",
            "Give now at {bad} - the need is urgent.",
            "God bless you for your kindness.",
        ],
    },
    "jobscam": {
        "brands": ["HR Department", "Remote Careers Group", "Global Staffing Partners",
                   "Payroll Agent Recruitment"],
        "subjects": ["Job offer: work from home, ${small} per day",
                     "You have been selected for a remote position",
                     "Your job alert: payment processing agent", "Easy income - no experience needed"],
        "lines": [
            "We reviewed your CV on a job board and would like to offer you a position as a "
            "payment processing agent.",
            "You will receive payments into your bank account and forward them to our partners, "
            "keeping 10% as your commission.",
            "No experience, no interview. Start today and earn ${amount} per month from home.",
            "To begin, reply with your full name, bank name, account number and date of birth.",
            "A small registration fee of ${small} is required for your training materials.",
            "Positions are limited. Respond within 24 hours.",
        ],
    },
    "invoice": {
        "brands": ["Billing Department", "Cloud Storage Support", "Subscription Services",
                   "Accounts Receivable"],
        "subjects": ["Invoice #{policy} overdue", "Your subscription payment failed",
                     "Your storage is full - your files will be deleted",
                     "Receipt for your purchase of ${amount2}", "Payment declined - update now"],
        "lines": [
            "Your payment could not be processed and your account will be closed today.",
            "Update your card immediately at {bad} to avoid losing your files.",
            "If you did not make this purchase of ${amount2}, call {phone} to cancel and receive "
            "a refund.",
            "Please see the attached invoice and remit payment by return.",
            "Your storage is full. All photos and documents will be deleted in 24 hours unless "
            "you upgrade.",
            "Thank you for being a valued customer.",
        ],
    },
}
SPAM_TLDS = ["biz", "info", "ru", "cn", "top", "xyz", "net", "com"]
SPAM_WORDS = ["secure", "verify", "alert", "update", "account", "rewards", "notice", "support",
              "online", "service", "direct", "offers"]
