"""The words of the third bulk-mail set (`bench/make_bulk_ham3.py`), kept apart from its plumbing.

Why a module of its own: the set exists to be a third writer's idea of legitimate commercial and
list mail, written without reading the other two sets' text; keeping the text here keeps the
generator readable and makes plain what was written for the set. Every `{slot}` is filled by the
generator; a slot it does not know is an error there, not a silent blank.

Each kind: `senders` (brand, domain), `subjects`, `lines` (paragraphs, 3-5 of which a message
uses, in this order), and optionally `lead` (always first) and `tail` (always last before the
footer). Half of the ham is "loud": 1-3 of the kind's `loud` lines (honest promotion
in the shouting style many senders used) go after the lead, and the subject may be a `LOUD_SUBJECTS`
one.
"""

from __future__ import annotations

FIRST = ("Karen", "Doug", "Priya", "Marcus", "Ellen", "Tomasz", "Rachel", "Wes", "Ingrid", "Hector",
         "Naomi", "Raj", "Colleen", "Abdul", "Bettina", "Lou", "Sunita", "Gary", "Mei", "Owen")
LAST = ("Brandt", "Okafor", "Lindqvist", "Ramirez", "Halloran", "Nakamura", "Petrov", "Whitfield",
        "O'Neill", "Szabo", "Delacroix", "Mbeki", "Fairbanks", "Kowalczyk", "Tan", "Abernathy")
CITIES = ("Boston", "Denver", "Atlanta", "Seattle", "Chicago", "Phoenix", "Orlando", "Portland",
          "Minneapolis", "San Diego", "Pittsburgh", "Austin", "Raleigh", "Salt Lake City")
AIRPORTS = ("BOS", "DEN", "ATL", "SEA", "ORD", "PHX", "MCO", "PDX", "MSP", "SAN", "PIT", "AUS")
ADDRESSES = ("PO Box 1180, Boulder, CO 80306", "411 Mill Street, Lowell, MA 01852",
             "2200 Commerce Pkwy, Suite 300, Omaha, NE 68154", "18 Harbor Lane, Portland, ME 04101",
             "PO Box 5530, Harlan, IA 51593", "900 Lakeshore Dr, Madison, WI 53703")

TECH_2002 = ("Intel ships its 3 GHz Pentium 4", "Microsoft previews the .NET server family",
             "802.11b hot spots spread to coffee shops", "Apple moves every Mac to OS X",
             "DVD burners fall below $300", "Linux gains ground on corporate servers",
             "Broadband passes dial-up in US homes", "The XP service pack nears release",
             "USB 2.0 drives arrive in the stores", "A worm hits unpatched IIS servers again")
TECH_TODAY = ("What the new Wi-Fi 7 routers actually change", "Local AI models on a laptop, tested",
              "Passkeys come to more bank logins", "Why your next SSD may be slower",
              "The end of Windows 10 support, explained", "Rust in the Linux kernel, a year on",
              "A browser extension supply-chain attack", "USB-C cables, and which ones to buy",
              "How chip export rules reach your PC", "Self-hosting your photos in 2025")
PRODUCTS = ("TaskTamer", "DiskSweep", "PhotoLoom", "NoteHarbor", "SyncPilot", "ZipVault",
            "LedgerLite", "MailMinder", "ScanDock", "CodeWren")
SOFTWARE = ("an image viewer", "a popular FTP client", "a media player plug-in", "a router's web admin page",
            "a PDF reader", "a widely used mail server")
DOWNLOADS = (("CleanStart", "removes programs that load at start-up"),
             ("TinyClock", "an alarm clock and stopwatch for the tray"),
             ("RenameWiz", "renames hundreds of files by pattern"),
             ("PingSentry", "watches your connection and logs drop-outs"),
             ("IconForge", "makes and edits icons"),
             ("TabNotes", "keeps notes in tabs with instant search"),
             ("DupFinder", "finds duplicate photos and music"),
             ("WinShade", "dims inactive windows"))
STORE_ITEMS = ("the Cedar flannel shirt", "our cast-iron skillet", "the Harbor rain jacket",
               "a set of linen napkins", "the walnut cutting board", "wool hiking socks",
               "the brass desk lamp", "a stoneware mug set")
CONF_FIELDS = (("distributed systems", "consensus and replication", "storage systems",
                "fault tolerance"),
               ("software engineering", "testing and verification", "program analysis",
                "empirical studies of developers"),
               ("information retrieval", "ranking and evaluation", "query understanding",
                "search over structured data"),
               ("computer networks", "congestion control", "wireless and mobile networking",
                "network measurement"))
UNIVS = ("University of Wisconsin", "Carnegie Mellon University", "ETH Zurich", "University of Toronto",
         "Georgia Tech", "University of Edinburgh", "KTH Stockholm", "UC San Diego")
BONUSES = ("Pocket Guide to Perennials", "annual Trail Atlas", "Shortcut Keys handbook",
           "Shop Jigs booklet")

LOUD_SUBJECTS = ("SAVE {pct_off}% - this weekend ONLY!", "FREE gift inside, {first}!",
                 "Last chance!!! {brand} offer ends tonight", "Don't miss out: a special offer for {first}",
                 "*** {brand}: our biggest sale of the year ***")
GREETING = ("Dear {first},", "Hello {first},", "Hi {first},", "Dear Subscriber,", "Dear Reader,", "")
SIGNOFF = ("Regards,\nThe {brand} Team", "Thanks for reading,\n{editor}, Editor", "Sincerely,\n{editor}",
           "-- The {brand} staff", "")

FOOTER_2002 = (
    "----------------------------------------------------------\nYou are receiving this newsletter "
    "because you subscribed at {site}. To unsubscribe, send a blank message to {leave} or reply with "
    "REMOVE in the subject line.\n----------------------------------------------------------",
    "==========================================================\nTo change your address or stop "
    "receiving this mailing, visit {site}/subscribe. We respect your privacy and do not share your "
    "address.\nCopyright (c) {year} {brand}. All rights reserved.",
    "________________________________________\nSUBSCRIPTION INFO: This mailing is sent only to people "
    "who asked for it. To leave the list, mail {leave} with the word unsubscribe.\n{brand}, {address}",
)
FOOTER_TODAY = (
    "You are receiving this email because you signed up for {brand} updates. Unsubscribe: "
    "{site}/unsubscribe?u={uid} | Manage preferences | Privacy policy\n{brand}, {address}",
    "Sent to {to}. Not interested any more? Unsubscribe in one click: {site}/u/{uid}\n(c) {year} "
    "{brand}. {address}",
    "This email was sent to {to} by {brand}. Update your email preferences or unsubscribe at "
    "{site}/preferences. View it in your browser: {site}/view/{uid}",
)
PREHEADER = ("This week's picks inside", "Your account summary", "A quick look at what is new",
             "Don't miss these deals", "", "")

# Mailing-list digests: the list, the service that runs it, and its footer.
LISTS = ("linux-newbies", "orchidgrowers", "palm-users", "vwbus-owners", "homebrewers",
         "quiltmakers", "ham-radio-ne", "perl-beginners")
THREADS = ("Re: sound card not detected after upgrade", "Re: best potting mix for phals",
           "Swap meet in {city} this Saturday", "Re: syncing with Outlook 2000",
           "Re: yeast starter question", "FS: spare parts, cheap", "Re: which antenna for 2m?",
           "OT: anyone going to the show?", "Re: regex to match dates", "Welcome new members",
           "Re: batting for a baby quilt", "Re: carburettor rebuild kit")
POSTS = (
    "I had exactly this after the last kernel update. Check that the module loads at boot (lsmod) "
    "and if not add it to modules.conf. Worked for me on Red Hat 7.3.",
    "We mix bark, perlite and a little charcoal, about 3:1:1. Repot after flowering, never before.",
    "Thanks to everyone who answered. The problem was a bad cable after all. Cost me $6 to fix, "
    "after two weekends of trying everything else.",
    "Prices are firm but I can hold things until Sunday. Email me off-list, please, not the group.",
    "Don't buy the cheap kit from the auction sites, the gaskets are the wrong size. The one from "
    "the club's usual supplier is $40 and fits.",
    "Reminder that the list rules ask you to trim quotes and keep commercial posts to Fridays. "
    "The moderators will hold anything else.",
    "Here is the script I use, free for anyone who wants it. It is ugly but it works.",
    "My wife and I will be there both days, look for the blue van. Bring your spare parts!",
    "Try a 1/4 wave ground plane first, it costs almost nothing to build and it will tell you if "
    "the problem is the antenna or the radio.",
    "Welcome aboard! The archives and the FAQ are on the group's web page; most beginner "
    "questions are answered there.",
)
DIGEST_2002 = {
    "yahoo": (
        "------------------------ Yahoo! Groups Sponsor ---------------------~-->\n{sponsor_ad}\n"
        "http://us.click.yahoo.com/{uid}/{uid2}/TM\n------------------------------------------"
        "---------------------------~->\n\nTo unsubscribe from this group, send an email to:\n"
        "{group}-unsubscribe@yahoogroups.com\n\nYour use of Yahoo! Groups is subject to "
        "http://docs.yahoo.com/info/terms/"),
    "topica": (
        "==^================================================================\nThis email was "
        "sent to: {to}\n\nEASY UNSUBSCRIBE click here: http://topica.com/u/?{uid}\nOr send an "
        "email to: {group}-unsubscribe@topica.com\n\nT O P I C A -- Register now to manage your "
        "mail!\nhttp://www.topica.com/partner/tag02/register\n==^=============================="
        "=================================="),
    "lyris": (
        "---\nYou are currently subscribed to {group} as: {to}\nTo unsubscribe send a blank email "
        "to leave-{group}-{num}N@lists.{domain}"),
}
DIGEST_TODAY = {
    "groupsio": (
        "-=-=-=-=-=-=-=-=-=-=-=-\nGroups.io Links: You receive all messages sent to this group.\n"
        "View/Reply Online (#{num}): https://groups.io/g/{group}/message/{num}\nGroup Owner: "
        "{group}+owner@groups.io\nUnsubscribe: https://groups.io/g/{group}/leave/{num}/{uid}\n"
        "-=-=-=-=-=-=-=-=-=-=-=-"),
    "google": (
        "--\nYou received this message because you are subscribed to the Google Groups "
        "\"{group}\" group.\nTo unsubscribe from this group and stop receiving emails from it, send "
        "an email to {group}+unsubscribe@googlegroups.com.\nTo view this discussion visit "
        "https://groups.google.com/d/msgid/{group}/{uid}"),
    "mailman": (
        "_______________________________________________\n{group} mailing list -- "
        "{group}@lists.{domain}\nTo unsubscribe send an email to {group}-leave@lists.{domain}"),
}
SPONSOR_ADS = ("Save up to 70% on inkjet cartridges - free shipping!",
               "Get a FREE credit report now. Click here.", "Your own web site for $4.95 a month.",
               "Refinance now - rates are at a 30-year low!", "Tired of spam? Try our filter FREE.")

HAM = {
    "technews": {
        "loud": (
            "*** SPECIAL READER OFFER *** Subscribe to the print edition today and get 12 issues for "
            "just $12 - that's 75% OFF the cover price! Click here: {site}/print",
            "WIN a new notebook PC! Enter our reader sweepstakes at {site}/win. No purchase necessary.",
            "HOT DEALS: memory upgrades from $39! FREE shipping! Order now from our partner {sponsor}.",
        ),
        "senders": (("PC Desktop Weekly", "pcdesktopweekly.com"), ("ByteLine", "byteline.net"),
                    ("Network Admin Review", "netadminreview.com"), ("CodeCraft Weekly", "codecraftweekly.com")),
        "subjects": ("{brand}: {tech}", "This week: {tech}", "{brand} #{issue} - {tech}",
                     "Your {month} issue of {brand}", "Reviewed: {product} {version}, plus {tech}"),
        "lead": "IN THIS ISSUE\n1. {tech}\n2. Review: {product} {version}\n3. Ask the expert\n"
                "4. Deals and downloads",
        "lines": (
            "TOP STORY: {tech}. Analysts we spoke to expect it to reach most office desktops within "
            "{small} months, though nobody would commit to prices yet.",
            "REVIEW: We spent two weeks with {product} {version}. It installs cleanly, the new backup "
            "wizard is a real improvement, and at ${price} it undercuts its nearest rival. Our "
            "rating: four stars out of five.",
            "ASK THE EXPERT: A reader asks why his machine wakes from standby on its own. Short "
            "answer: the network card is allowed to wake it. Untick that box in Device Manager.",
            "SPONSOR: This issue is brought to you by {sponsor}. Start a FREE 30-day trial of the "
            "complete suite, no credit card required: {site}/sponsor",
            "TIP OF THE WEEK: Keep two copies of anything you cannot replace, and one of them "
            "somewhere other than your house. A $60 external drive is cheap insurance.",
            "FROM THE FORUMS: {small2} readers answered last week's thread about upgrading old "
            "laptops. The consensus: add memory first, then think about a new disk.",
            "SECURITY WATCH: a flaw in {software} lets an attacker run code on unpatched machines. "
            "A fix came out on {date}; install it now if you have not.",
            "FREE WHITE PAPER: 'Planning your next storage upgrade'. Download it from "
            "{site}/papers (free registration required).",
            "DEALS: readers save {pct_off}% on {product} this month with code {code}. Offer ends "
            "{date}.",
        ),
    },
    "vendor": {
        "loud": (
            "LIMITED TIME OFFER: upgrade now and SAVE 50%! This offer expires {date} - don't miss out!",
            "ORDER NOW and get a FREE bonus CD with over 1,000 templates! Call toll-free {phone}.",
            "100% money-back guarantee. If you are not satisfied, we will refund every penny, no "
            "questions asked.",
        ),
        "senders": (("Northwind Software", "northwindsoft.com"), ("Bluefin Systems", "bluefinsys.com"),
                    ("QuickLedger", "quickledger.com"), ("Acorn Backup", "acornbackup.com")),
        "subjects": ("Introducing {product} {version}", "{product} {version} is here - upgrade for ${price}",
                     "Announcing {product} {version}: what's new",
                     "Your upgrade offer for {product} ends {date}", "New: {product} for {platform}"),
        "lines": (
            "We are pleased to announce {product} {version}, available today for {platform}. As a "
            "registered user you can upgrade for ${price} (regular price ${price2}).",
            "What's new in this release:\n * faster start-up and a smaller memory footprint\n * "
            "import from your old files in one step\n * scheduled jobs that run while you are logged "
            "off\n * over {small2} fixes reported by customers",
            "Registered owners of earlier versions can download the upgrade from {site}/upgrade "
            "with the serial number on your original invoice.",
            "Order before {date} and get our Reports add-on FREE (a ${price3} value). This offer is "
            "for existing customers only.",
            "Not sure yet? Download the fully working 30-day trial. Your settings from earlier "
            "versions are kept.",
            "System requirements: {platform}, {ram} MB of memory, 40 MB of free disk space.",
            "Read the full release notes at {site}/releases.",
            "Buying for a team? Volume licences start at five seats. Call our sales office at "
            "{phone}, Monday to Friday, 9am to 6pm Eastern.",
            "You are receiving this because you registered {product} with us. We send product news "
            "a few times a year, never more.",
        ),
    },
    "digest": {"senders": (), "subjects": (), "lines": POSTS},
    "invest": {
        "loud": (
            "SPECIAL OFFER for subscribers: get our report 'Five Stocks to Own for the Next Decade' "
            "FREE when you renew today!",
            "Don't miss the rally! Our top pick is up {bigpct}% since we recommended it. Click here to "
            "see the full list now.",
            "Call {phone} now to claim your 2-for-1 subscription offer. This is a limited time "
            "opportunity.",
        ),
        "senders": (("The Dividend Ledger", "dividendledger.com"), ("Small Cap Sentinel", "smallcapsentinel.com"),
                    ("Harbor Street Investor", "harborstreetinvestor.com"), ("Morning Ticker", "morningticker.com")),
        "subjects": ("{brand}: {month} portfolio update", "Weekly market wrap: a {updown} week",
                     "New buy: {company} ({ticker})", "Earnings season preview",
                     "Subscriber alert: we are selling half of {ticker}"),
        "lines": (
            "MARKET WRAP: The Dow closed the week {updown}, and the Nasdaq moved {pct}%. Trading "
            "was light ahead of the Fed meeting on {date}.",
            "NEW RECOMMENDATION: We are starting coverage of {company} ({ticker}) with a BUY up to "
            "${price}. The company has raised its dividend {years} years running and trades at "
            "{pe} times earnings.",
            "PORTFOLIO: Our model portfolio is up {pct}% this year against {pct2}% for the S&P "
            "500. We are taking profits on half of our {ticker} position after a {bigpct}% gain.",
            "FROM THE MAILBAG: 'Should I buy now or wait for a pullback?' We never try to time the "
            "market. Buy in thirds over the next three months.",
            "Subscribers can read the full research report at {site}/members. Your login is the "
            "address this newsletter was sent to.",
            "Renew your subscription before {date} and keep the current rate of ${price3} a year, "
            "{small}% off the regular price.",
            "Reminder: our free online seminar on retirement income is on {date} at 8pm Eastern. "
            "Reserve a seat at {site}/seminar.",
        ),
        "tail": "DISCLAIMER: {brand} is an independent publication. We are not a registered "
                "investment adviser, and nothing here is a personal recommendation. Staff may own "
                "securities we write about. Past performance does not guarantee future results.",
    },
    "catalog": {
        "loud": (
            "HUGE SAVINGS! Up to 60% off - this weekend ONLY!",
            "FREE GIFT with every order over ${threshold}! While supplies last.",
            "Hurry! The sale ends at midnight. Click here to shop now: {site}",
            "$$$ SAVE ${dollars} $$$ on orders over ${threshold} with code {code}",
        ),
        "senders": (("Lakeside Outfitters", "lakesideoutfitters.com"), ("Holloway & Finch", "hollowayfinch.com"),
                    ("The Kitchen Drawer", "kitchendrawer.com"), ("Paper Lantern Gifts", "paperlanterngifts.com")),
        "subjects": ("Your {season} catalog is here", "{pct_off}% off everything this weekend",
                     "Coupon inside: ${dollars} off ${threshold}", "New arrivals + FREE shipping",
                     "Last chance: our sale ends {date}"),
        "lines": (
            "Our {season} catalog is on its way to your mailbox, but you can page through all "
            "{small2} pages online now at {site}/catalog.",
            "Take {pct_off}% off your entire order with coupon code {code} at checkout. Good "
            "through {date} online, by phone or in our stores.",
            "FREE standard shipping on orders over ${threshold}. No code needed.",
            "NEW THIS SEASON: {item}, ${price}; and {item2}, ${price2}.",
            "Print this email and bring it to any {brand} store: save ${dollars} when you spend "
            "${threshold} or more. One coupon per customer. Not valid on gift cards.",
            "Rewards Club members earn double points on every purchase through {date}.",
            "Our guarantee: if you are not completely satisfied, return it at any time for a full "
            "refund. It has been our promise since {foundyear}.",
            "Questions? Call us at {phone} any time, or write to {address}.",
        ),
    },
    "fares": {
        "loud": (
            "AMAZING FARES! Fly for as little as ${fare}! Book NOW - these fares won't last!",
            "WIN 2 free round-trip tickets! Enter our sweepstakes at {site}/win. No purchase necessary.",
            "Click here to book these incredible deals before they are gone!",
        ),
        "senders": (("SkyLink Airways", "skylinkair.com"), ("FareWatch", "farewatch.com"),
                    ("Coastal Air", "coastalair.com"), ("TripNotes Fare Alerts", "tripnotes.com")),
        "subjects": ("Fare alert: {city} to {city2} from ${fare}", "This week's Web fares",
                     "Weekend getaways from ${fare} each way", "Price drop on {ap1}-{ap2}",
                     "{brand} e-savers for {date}"),
        "lines": (
            "This week's Internet specials, for travel leaving this Saturday and returning Monday or "
            "Tuesday. Fares are each way and must be bought online by midnight Thursday.",
            "{city} to {city2} ............ ${fare}\n{city3} to {city} ............ ${fare2}\n"
            "{city2} to {city3} ............ ${fare3}",
            "The fare you are watching, {city} ({ap1}) to {city2} ({ap2}), fell to ${fare} round "
            "trip on {date}, ${small} less than yesterday.",
            "Fares include taxes and fees. Seats are limited and may not be available on every "
            "flight or day. Changes cost ${small2} plus any difference in fare.",
            "Members earn {points} bonus miles on every round trip booked by {date}.",
            "Book at {site} or call {phone}. A $15 fee applies to tickets bought by phone.",
            "You set up this alert on our site. To change or delete your alerts, sign in and open "
            "My Alerts.",
        ),
    },
    "hosting": {
        "loud": (
            "SPECIAL OFFER: get 3 months FREE when you move up to the {plan} plan! Act now - this "
            "offer ends {date}.",
            "Refer a friend and earn a $25 credit for every new customer! There is no limit!",
            "FREE domain name for life with any annual plan. Order today!",
        ),
        "senders": (("HostPoint", "hostpoint.net"), ("Ridgeline Internet", "ridgeline.net"),
                    ("SwiftWeb Hosting", "swiftwebhost.com"), ("MetroDSL", "metrodsl.net")),
        "subjects": ("Scheduled maintenance on {date}", "Your hosting plan renews on {date}",
                     "Invoice #{invoice} for {sitename}", "Important: new dial-up access numbers",
                     "Upgrade to {mbps} Mbps for the same price"),
        "lines": (
            "We will carry out scheduled maintenance on our mail servers on {date} between 1:00 "
            "and 5:00 AM Eastern. Web sites and email may be unavailable for up to 30 minutes.",
            "Your {plan} plan for {sitename} renews automatically on {date}. The card on file "
            "ending in {last4} will be charged ${price}.",
            "Invoice #{invoice}\n  {plan} hosting, 12 months ..... ${price}\n  Domain renewal, "
            "{sitename} ... ${price3}\n  Paid by card ending {last4}",
            "Our new access number for {city} is {phone2}. The old number stops working on {date}; "
            "please update your dial-up settings.",
            "Good news: we have doubled the disk space on every plan at no extra cost. Your "
            "account now has {disk} MB.",
            "Spam filtering is now on for every mailbox. Mail we think is junk goes to a folder "
            "called Spam, which empties itself after 30 days.",
            "Need help? Support is open around the clock at support@{domain} or {phone}. Please "
            "quote your account number, {account}.",
            "This is a service message about your account; you get these even if you opted out of "
            "our newsletter.",
        ),
    },
    "cfp": {
        "loud": (
            "NEW THIS YEAR: the Best Paper award carries a prize of $1,000!",
            "Register early and SAVE ${small2}! Early-bird registration closes {date3}.",
        ),
        "senders": (("SADE Program Committee", "sade-conf.org"), ("WDS Workshop", "wds-workshop.org"),
                    ("ICSE-Asia Organisers", "icseasia.org"), ("NetMeasure Symposium", "netmeasure.org")),
        "subjects": ("CFP: {conf} {cyear} - deadline {date}", "Call for Papers: {conf} {cyear}",
                     "Deadline extended: {conf} papers due {date2}",
                     "Final call for workshop proposals - {conf}"),
        "lead": "CALL FOR PAPERS\n{conf} {cyear}\n{city}, {month} {cday}-{cday2}, {cyear}\n{site}",
        "lines": (
            "We invite original research on all aspects of {field}, including but not limited to:"
            "\n - {topic1}\n - {topic2}\n - {topic3}\n - experience reports from deployed systems",
            "Important dates:\n  Abstracts: {date}\n  Full papers: {date2}\n  Notification: "
            "{date3}\n  Camera-ready: {date4}",
            "Papers must be at most {pages} pages in the two-column format, figures included. "
            "Reviewing is double-blind; please leave author names out.",
            "Accepted papers appear in the proceedings. At least one author of each paper must "
            "register and present it.",
            "Student travel grants are available; apply by {date3}.",
            "General chair: {person}, {univ}\nProgram chairs: {person2}, {univ2}",
        ),
        "tail": "Apologies if you receive more than one copy of this call. To stop receiving "
                "{conf} announcements, reply with 'unsubscribe' in the subject.",
    },
    "shareware": {
        "loud": (
            "DOWNLOAD NOW! 100% FREE! Over 10,000 programs!",
            "WIN a free copy of {sponsor}! Enter today; winners announced {date}.",
            "Get the FULL version at 50% OFF - this week only! Click here.",
        ),
        "senders": (("FileMine Weekly", "filemine.com"), ("Shareware Junction", "sharewarejunction.com"),
                    ("DownloadDen", "downloadden.net"), ("Freeware Corner", "freewarecorner.com")),
        "subjects": ("{brand}: this week's top {small} downloads", "New and updated: {sw1} {version}",
                     "Editor's picks for {month}", "FREE utilities to speed up your PC"),
        "lead": "TOP DOWNLOADS THIS WEEK\n 1. {sw1} - {swd1}\n 2. {sw2} - {swd2}\n 3. {sw3} - {swd3}",
        "lines": (
            "EDITOR'S PICK: {sw1} {version} (shareware, ${price} to register): it {swd1}, and we "
            "liked how it stays out of the way in the system tray.",
            "UPDATED: {sw2} {version} fixes a crash at start-up on older Windows versions and "
            "handles long file names.",
            "FREEWARE OF THE WEEK: {sw3}. It {swd3}. No ads, no spyware, no time limit.",
            "Every file on {brand} is scanned for viruses before we list it. If you find a "
            "problem, tell us at abuse@{domain}.",
            "SPONSORED: {sponsor} - get the full version for ${price2}, a special price for "
            "{brand} readers.",
            "Developers: list your program with us for free. Submit your PAD file at {site}/submit.",
        ),
    },
    "renewal": {
        "loud": (
            "ACT NOW and save up to {small}% off the cover price!",
            "FREE GIFT when you renew today! Don't miss a single issue!",
            "This is your FINAL NOTICE. Renew now to keep your subscription active.",
            "Guaranteed: cancel at any time for a full refund on all unmailed issues.",
        ),
        "senders": (("Garden Gate Monthly", "gardengatemonthly.com"), ("Trail & Paddle", "trailpaddle.com"),
                    ("Home Computing Magazine", "homecomputingmag.com"), ("The Woodshop Journal", "woodshopjournal.com")),
        "subjects": ("Your subscription to {brand} ends with the {month} issue",
                     "Renewal notice - account {account}", "Last issue coming: renew {brand} today",
                     "Save {small}% when you renew for 2 years", "Thank you for renewing {brand}"),
        "lines": (
            "Our records show that your subscription to {brand} ends with the {month} issue. "
            "Renew now so you do not miss a single issue.",
            "1 year (12 issues): ${price}\n2 years (24 issues): ${price2} - save {small}%\n3 "
            "years (36 issues): ${price3} - our best rate",
            "Your account number is {account}. Renew online at {site}/renew or call {phone}.",
            "Renew for two years and we will send you our {bonus} FREE.",
            "If you have already sent your payment, thank you, and please ignore this notice.",
            "Thank you for renewing. Your subscription now runs through {month} {year2}; your card "
            "ending in {last4} was charged ${price}.",
            "We never sell or rent your email address. Now and then we share postal addresses "
            "with carefully chosen companies; to opt out, write to us at {address}.",
            "Every print subscription now includes the digital edition at no extra cost.",
        ),
    },
}

SPAM_TLDS = ("biz", "info", "com", "net", "ws", "cc", "ru", "top")
SPAM_WORDS = ("deals", "online", "direct", "alert", "club", "center", "secure", "now")
SPAM_FOOTER_2002 = (
    "To be removed from our mailing list, reply with REMOVE in the subject line.",
    "This message is sent in compliance with the proposed email bill: Section 301, Paragraph "
    "(a)(2)(C) of S. 1618. You opted in to receive offers from one of our partners.",
    "You received this because your address is on an opt-in list. If this reached you in error, "
    "we apologise; send a blank email to {leave} to be taken off.",
)
SPAM_FOOTER_TODAY = (
    "If you no longer wish to get these offers, unsubscribe here: {bad}\n{address}",
    "You are receiving this because you signed up with one of our marketing partners. Opt out: "
    "{bad}",
    "This is an advertisement. {brand}, {address}. Unsubscribe: {bad}",
)
SPAM = {
    "pump": {
        "brands": ("Hot Stock Alert", "Penny Pick Insider", "Microcap Profits Daily", "Wall Street Stock Report"),
        "subjects": ("URGENT: {ticker} set to EXPLODE", "Our new pick could go up {bigpct}%",
                     "{company} ({ticker}): the next big breakout?", "Investor alert: {ticker} news"),
        "lines": (
            "INVESTOR ALERT: {company} (OTC BB: {ticker}) has just announced a deal that could "
            "double its revenue this year!",
            "Current price: ${penny}\nShort-term target: ${target}\nRecommendation: STRONG BUY",
            "Our last pick went up {bigpct}% in {small} days. Subscribers who acted made a fortune.",
            "Act NOW, before the big funds catch on. When this news gets out it will be too late.",
            "Watch {ticker} trade on Monday morning. Get in early!",
            "Disclaimer: we were paid {small2},000 shares by a third party to distribute this "
            "report. This is not a solicitation. Investing involves risk.",
        ),
    },
    "oemsoft": {
        "brands": ("Soft Outlet", "OEM Software Direct", "Discount Software Depot"),
        "subjects": ("Cheap software - up to 80% off", "Windows and Office for ${price}",
                     "All the software you need, DOWNLOAD NOW", "OEM versions, genuine, low prices"),
        "lines": (
            "Why pay retail? Get the software you need at OEM prices, up to 80% off!",
            "Windows XP Professional .......... $49.95 (retail $299)\nOffice XP Professional "
            "..... $59.95 (retail $499)\nAdobe Photoshop 7 .......... $69.95 (retail $609)",
            "All programs are ORIGINAL and complete with serial numbers. Download right away, "
            "no waiting for shipping!",
            "Order 3 titles and get the 4th FREE. This offer will not last.",
            "Visit our store now: {bad}",
            "Satisfaction guaranteed or your money back. Secure payments.",
        ),
    },
    "fakerenew": {
        "brands": ("Domain Registry Services", "Magazine Billing Center", "Subscription Services Dept"),
        "subjects": ("FINAL NOTICE: renewal required for {sitename}", "Your subscription has expired",
                     "Action required: renew {sitename} today", "Expiration notice - account {account}"),
        "lines": (
            "Our records show that the registration of {sitename} expires on {date}. Failure to "
            "renew may mean the loss of your online identity and your email.",
            "Renewal options:\n 1 year ..... $45.00\n 5 years .... $165.00\n 10 years ... $275.00",
            "Your magazine subscription has lapsed. Renew now at the special rate and we will "
            "restart delivery at once.",
            "This is not a bill. This is a solicitation. You are under no obligation to pay unless "
            "you accept this offer.",
            "To renew now, click here: {bad}",
            "Please respond within 48 hours to avoid interruption of service.",
        ),
    },
    "seo": {
        "brands": ("Top Ranking Pros", "SearchBoost Marketing", "WebSubmit 2000"),
        "subjects": ("Get your website to the TOP of the search engines",
                     "We submit {sitename} to 500,000 search engines",
                     "Is {sitename} losing customers?", "Top 10 ranking GUARANTEED"),
        "lines": (
            "We will submit your web site to over 500,000 search engines and directories for "
            "ONLY ${price}!",
            "I was looking at {sitename} and noticed it does not appear on the first page of "
            "Google for your main keywords.",
            "Top 10 placement GUARANTEED or your money back. Thousands of satisfied customers.",
            "We also offer web design from $99 and FREE hosting for life.",
            "Reply with your phone number and one of our specialists will call you, no "
            "obligation.",
            "Click here to get started: {bad}",
        ),
    },
    "giftcard": {
        "brands": ("Rewards Center", "Shopper Survey Team", "Customer Appreciation Dept"),
        "subjects": ("Congratulations! Your ${dollars} gift card is waiting",
                     "You have been selected: claim your reward", "Final reminder: ${dollars} coupon",
                     "Thank you, {first}: a gift for you"),
        "lines": (
            "Congratulations! You have been selected to receive a ${dollars} gift card from "
            "{store}.",
            "Just complete our 30-second survey about your shopping to claim it.",
            "Quantities are limited and this offer expires in 24 hours.",
            "Claim your reward now: {bad}",
            "Only shipping and handling of $4.95 applies. No purchase necessary.",
            "Your reference number is {account}. Keep it for your records.",
        ),
    },
    "travelprize": {
        "brands": ("Vacation Awards Dept", "Travel Winners Club", "Cruise Giveaway Center"),
        "subjects": ("You have won 2 round-trip tickets!", "Your {city} vacation is confirmed",
                     "Claim your FREE cruise", "Reservation #{invoice}: action needed"),
        "lines": (
            "CONGRATULATIONS! You have been chosen to receive two round-trip airline tickets to "
            "anywhere in the continental US.",
            "Your vacation package: 5 days and 4 nights in {city} for only $99 per person. You "
            "just pay the port taxes.",
            "Reservation number: {invoice}. You must call within 72 hours to confirm: {phone}",
            "This is a limited time offer for selected winners only.",
            "Book your dates here: {bad}",
            "Some restrictions apply. You must attend a 90-minute presentation.",
        ),
    },
    "fakecfp": {
        "brands": ("World Congress on Advanced Sciences", "International Journal of Global Research",
                   "Global Academic Summit"),
        "subjects": ("Invitation to be a speaker at {brand} {cyear}",
                     "Call for Papers: fast publication in 7 days",
                     "Dear Esteemed Researcher, submit your paper", "Publish with us - {brand}"),
        "lines": (
            "Dear Esteemed Researcher, we are delighted to invite you to submit your valuable "
            "manuscript to {brand}.",
            "Fast review: decision in 7 days, publication within 2 weeks of acceptance.",
            "Indexed in all major databases. Impact factor {pct}.",
            "A publication fee of ${price} applies to every accepted paper.",
            "Be a keynote speaker at our congress in {city}! Kindly reply with your short bio.",
            "Submit online here: {bad}",
        ),
    },
    "bulkmail": {
        "brands": ("Opt-In List Builders", "MassMail Pro", "Email Marketing Direct"),
        "subjects": ("Send your ad to 10 MILLION people", "Fresh opt-in email lists, cheap",
                     "Bulk email software - FREE trial", "Reach millions of buyers TODAY"),
        "lines": (
            "Send your ad to 10 MILLION opt-in addresses for just ${price}!",
            "Our fresh lists are 100% opt-in and verified. Sorted by state and interest.",
            "Our bulk email software sends 100,000 messages an hour from your own PC.",
            "This is NOT spam. You are receiving this because you opted in at one of our partner "
            "sites.",
            "Order today and get a second list FREE: {bad}",
            "Questions? Call us toll free at {phone}.",
        ),
    },
}
STORES = ("Walmart", "Target", "Best Buy", "Home Depot", "Costco", "Amazon")
