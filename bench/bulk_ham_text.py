"""Text banks for the bulk-mail development set (`bench/make_bulk_ham.py`): legitimate commercial
mail people asked for, and spam dressed the same way.

Why a separate file: the generator stays short, and what the mail says can be read (and extended)
without the MIME code. Every sentence here was written for this set; none is taken from the
SpamAssassin corpus, whose judged groups must stay unread. The ham uses the words a spam filter
trained on mailing-list traffic fears (free, offer, save, order, click, unsubscribe, mortgage,
interest rates, investment) for honest reasons; the spam uses the same layout and headers for
dishonest ones, so a filter has to learn more than "sounds commercial".

Slots: {brand} the sender's name, {domain} its domain, {product}, {pct}, {price}, {old}, {n},
{day}, {month}, {season}, {version}, {prev}, {city}, {date}, {first}, {order}, {carrier},
{track}, {item}, {addr} (the recipient), {list}.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- shared slots

FIRST_NAMES = ("Dana", "Marcus", "Priya", "Tom", "Elena", "Kenji", "Ruth", "Sam", "Olu", "Greta",
               "Hector", "Mei", "Liam", "Fatima", "Bruno", "Ingrid")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEASONS = ("Spring", "Summer", "Autumn", "Winter", "Holiday", "Back-to-school", "Midsummer",
           "Year-end")
CITIES = ("Portland, OR", "Leeds", "Austin, TX", "Dublin", "Madison, WI", "Bristol",
          "Cambridge, MA", "Toronto, ON", "Denver, CO", "Edinburgh", "Raleigh, NC", "Melbourne")
STREETS = ("1180 Harbor Way", "22 Mill Lane", "405 W. Fifth Street, Suite 300", "9 Chandlery Row",
           "3700 Commerce Park Drive", "PO Box 4471", "71 Station Road", "880 Market Street")
CARRIERS = ("UPS", "FedEx Ground", "USPS Priority Mail", "Royal Mail Tracked 48", "DHL Parcel",
            "Canada Post Expedited")

# ----------------------------------------------------------------------------- ham: senders

# (display name, domain, what it sells or writes about)
SHOPS = (
    ("Harbor & Pine Outfitters", "harborpine.com", "outdoor"),
    ("Gearloft", "gearloft.com", "outdoor"),
    ("Kettle Street Kitchen Supply", "kettlestreet.com", "kitchen"),
    ("Bramblewood Books", "bramblewoodbooks.com", "books"),
    ("Voltaic Electronics", "voltaicshop.com", "electronics"),
    ("Little Fern Toys", "littlefern.co.uk", "toys"),
    ("Copperleaf Garden Centre", "copperleafgarden.co.uk", "garden"),
    ("Summit Cycle Works", "summitcycleworks.com", "bikes"),
    ("Quill & Ledger Stationery", "quillandledger.com", "stationery"),
    ("Riverbend Wine Club", "riverbendwines.com", "wine"),
    ("Nimbus Camera Exchange", "nimbuscamera.com", "electronics"),
    ("Tidewater Pet Supply", "tidewaterpets.com", "pets"),
    ("Oakhurst Music", "oakhurstmusic.net", "music"),
    ("The Loom Room", "theloomroom.com", "crafts"),
)
SOFTWARE = (
    ("Ferrule Software", "ferrulesoft.com", "Ferrule FTP"),
    ("Pixelwright", "pixelwright.com", "Pixelwright Studio"),
    ("LedgerLite", "ledgerlite.com", "LedgerLite Accounts"),
    ("Orbit Backup", "orbitbackup.net", "Orbit Backup"),
    ("Stackwise", "stackwise.io", "Stackwise IDE"),
    ("Tinsel Project", "tinselframework.org", "Tinsel"),
    ("Quartet Audio", "quartetaudio.com", "Quartet Mixer"),
    ("Northgate Systems", "northgatesys.com", "Northgate Firewall"),
    ("Pagecraft", "pagecraft.com", "Pagecraft Publisher"),
    ("Sundial Labs", "sundiallabs.com", "Sundial Calendar"),
)
TECH_NEWS = (
    ("The Byteline Daily", "byteline.com"),
    ("Circuit Weekly", "circuitweekly.com"),
    ("Packet & Pixel", "packetandpixel.net"),
    ("The Server Room Digest", "serverroomdigest.com"),
    ("Gadget Bench", "gadgetbench.com"),
    ("Open Stack Notes", "openstacknotes.org"),
)
FINANCE_NEWS = (
    ("The Prudent Penny", "prudentpenny.com"),
    ("Ledger Lines", "ledgerlines.net"),
    ("Harvest Investor Weekly", "harvestinvestor.com"),
    ("Household Money Notes", "householdmoney.co.uk"),
    ("Compass Retirement Letter", "compassretire.com"),
    ("Main Street Markets", "mainstreetmarkets.com"),
)
EVENT_HOSTS = (
    ("DevHarbor Conference", "devharbor.org", "conference"),
    ("Lakeside Arts Centre", "lakesidearts.org.uk", "venue"),
    ("Northwest Data Summit", "nwdatasummit.com", "conference"),
    ("City Science Museum", "cityscimuseum.org", "venue"),
    ("Garden Growers Guild", "growersguild.org", "club"),
    ("Finance Forward Forum", "financeforward.org", "conference"),
    ("Bramblewood Books", "bramblewoodbooks.com", "shop"),
    ("Summit Cycle Works", "summitcycleworks.com", "shop"),
)
ORDER_SHOPS = SHOPS[:10] + (
    ("Parcelbox Direct", "parcelboxdirect.com", "electronics"),
    ("Homestead Hardware", "homesteadhw.com", "garden"),
)

# ----------------------------------------------------------------------------- ham: shop mail

PRODUCTS: dict[str, tuple[str, ...]] = {
    "outdoor": ("Ridgeline 2-person tent", "merino base layer", "30 L daypack", "trail running shoes",
                "insulated water bottle", "down vest", "trekking poles", "headlamp"),
    "kitchen": ("cast iron skillet", "chef's knife, 8 inch", "stand mixer", "espresso grinder",
                "bamboo cutting board", "Dutch oven, 5 qt", "set of mixing bowls"),
    "books": ("new hardback fiction", "the travel guide series", "cookbooks of the season",
              "children's picture books", "signed first editions", "the history shelf"),
    "electronics": ("noise-cancelling headphones", "USB-C dock", "27 inch monitor", "mirrorless camera body",
                    "portable SSD, 1 TB", "Bluetooth speaker", "CompactFlash cards, 256 MB"),
    "toys": ("wooden train set", "building blocks, 500 pieces", "plush fox", "craft kit",
             "board game for ages 8+", "balance bike"),
    "garden": ("bare-root roses", "seed potatoes", "compost bin", "pruning shears", "bird feeder",
               "raised bed kit", "bulbs for spring"),
    "bikes": ("commuter helmet", "LED light set", "touring panniers", "road tyres", "floor pump",
              "winter gloves", "service kit"),
    "stationery": ("fountain pen", "dot-grid notebook", "A5 planner", "ink bottles", "washi tape set",
                   "leather journal cover"),
    "wine": ("Rioja Reserva", "mixed case of twelve", "Sancerre", "Oregon Pinot Noir",
             "dessert wine half bottles", "tasting flight"),
    "pets": ("orthopaedic dog bed", "grain-free kibble, 12 kg", "cat tree", "aquarium filter",
             "reflective lead", "chew toys"),
    "music": ("acoustic guitar strings", "digital piano", "practice amp", "ukulele starter kit",
              "drum sticks", "sheet music folios"),
    "crafts": ("merino yarn bundles", "knitting needles", "quilting fabric", "embroidery hoops",
               "pattern books"),
}
SHOP_SUBJECTS = (
    "{season} sale: up to {pct}% off {item}",
    "New in: {item}",
    "Your {month} offers from {brand}",
    "Members save {pct}% this weekend",
    "Back in stock: {item}",
    "Free delivery on orders over ${n} until {day}",
    "Last chance: the {season} sale ends tonight",
    "{first}, we picked these for you",
    "This week at {brand}",
    "{brand} newsletter - {month}",
    "Our {season} catalogue is here",
    "Save ${n} on {item} this week",
)
SHOP_INTROS = (
    "Our {season} sale starts today and runs until {day}. Here are the pieces our staff keep "
    "recommending, with this season's prices.",
    "Thanks for being on our mailing list. This month we have new stock in the shop and a few "
    "offers for subscribers only.",
    "We have just unpacked a delivery of {item}, and we wanted you to hear about it first.",
    "Members save {pct}% on full-price items this weekend, in the shop and online. Use code "
    "{code} at checkout.",
    "A quick note from the shop floor: the {season} range has arrived, and a few favourites are "
    "reduced while stocks last.",
    "Here is what is new at {brand} this {month}, plus the dates of our next workshops.",
    "It has been a busy season. To say thank you, delivery is free on orders over ${n} until "
    "{day}.",
)
SHOP_ITEM_LINES = (
    "{item} - was ${old}, now ${price}",
    "{item}: ${price} (save {pct}%)",
    "{item}, from ${price}",
    "{item} ... ${price}",
    "NEW {item} - ${price}",
)
SHOP_CLOSINGS = (
    "Prices are valid until {day} or while stocks last. Questions? Reply to this email and a "
    "real person in our shop will answer.",
    "Offer applies to online orders only and cannot be combined with other discounts.",
    "As always, returns are free within 30 days. Thank you for shopping with a small business.",
    "See you in the shop,\nThe team at {brand}",
    "Happy {season_lower} from all of us,\n{first} and the {brand} crew",
)

# ----------------------------------------------------------------------------- ham: releases

RELEASE_SUBJECTS = (
    "{product} {version} is now available",
    "What's new in {product} {version}",
    "{product} {version} released: upgrade for ${price}",
    "Security update: {product} {version}",
    "[ANNOUNCE] {product} {version}",
    "{product} {version} - free update for registered users",
    "Upgrade to {product} {version} and save {pct}%",
)
RELEASE_INTROS = (
    "We are pleased to announce {product} {version}, the result of six months of work and a lot "
    "of feedback from users like you.",
    "{product} {version} is out today. It is a free update for everyone with a {prev} licence.",
    "This release fixes a security problem reported to us last month; we recommend that all users "
    "upgrade.",
    "Version {version} of {product} has been released. Here is a summary of the changes.",
    "The new {product} is ready. You told us what slowed you down, and this version is our answer.",
)
RELEASE_CHANGES = (
    "faster start-up on large projects",
    "a new dark theme",
    "resumable transfers over slow connections",
    "support for Windows XP and Mac OS X 10.2",
    "native Apple silicon and ARM64 Linux builds",
    "import from CSV and QIF files",
    "an improved scheduler that survives reboots",
    "fixed: a crash when a file name contained non-ASCII characters",
    "fixed: the settings dialog forgot the proxy port",
    "SFTP and FTPS on the same connection screen",
    "command-line options for scripted backups",
    "a plug-in API, documented on our site",
    "TLS 1.3 by default; older protocols can be switched off",
    "spell checking in twelve languages",
    "half the memory use when editing large images",
)
RELEASE_PRICING = (
    "Upgrade pricing: ${price} for owners of version {prev} (the full licence is ${old}). The "
    "offer runs until {day}.",
    "The update is free for anyone who bought a licence in the last twelve months. Older "
    "licences can upgrade for ${price}.",
    "{product} remains free and open source under the MIT licence. If it saves you time, "
    "consider sponsoring the project.",
    "Site licences for ten or more seats are ${price} per seat; contact our sales team for a "
    "quote.",
    "A 30-day trial is available, and your settings carry over when you buy.",
)
RELEASE_DOWNLOAD = (
    "Download: {link}/download/",
    "Release notes and downloads: {link}/releases/{version}/",
    "Registered users can download the update from {link}/account/ using their licence key.",
    "Get it from {link}/get (checksums are on the same page).",
)

# ----------------------------------------------------------------------------- ham: digests

TECH_HEADLINES = (
    ("Chip makers bet on smaller nodes", "Two foundries announced plans for new plants; analysts "
     "expect supply to stay tight until next year."),
    ("Broadband prices fall again", "A survey of forty providers found the average monthly price "
     "down 6% on last year, with faster plans at the same cost."),
    ("Patch Tuesday: seven fixes, two critical", "The monthly update closes a remote code "
     "execution hole in the mail client. Install it this week."),
    ("Review: four budget laptops", "We tested battery life, keyboards and screens. The cheapest "
     "is not the worst."),
    ("Open-source office suite reaches 2.0", "The new version reads and writes the common formats "
     "and starts in half the time."),
    ("How to back up a phone properly", "Cloud backup is convenient, but a local copy is the one "
     "you can restore from when the account is locked."),
    ("Wi-Fi 7 routers: worth it yet?", "Only if every device in the house supports it; our tests "
     "show modest gains for most homes."),
    ("Why your password manager matters", "Reused passwords remain the top cause of account "
     "takeovers. Here is how to switch without pain."),
    ("Linux kernel adds a new scheduler", "Desktop users should see smoother audio and fewer "
     "stalls under load."),
    ("Digital cameras under $300", "Five compact models compared, from 3 to 5 megapixels."),
    ("Start-up raises funds for battery recycling", "The company says its process recovers most "
     "of the lithium from old laptop packs."),
    ("Spam volumes keep climbing", "Filters catch most of it, but legitimate newsletters now get "
     "caught too; senders are adopting authentication to stay out of junk folders."),
)
FINANCE_HEADLINES = (
    ("Should you refinance now?", "With mortgage interest rates at a two-year low, refinancing can "
     "pay off if you plan to stay put. Our calculator shows the break-even point."),
    ("Five ways to pay down credit card debt", "Start with the highest rate, not the highest "
     "balance, and call your card issuer before you consider a consolidation loan."),
    ("Index funds versus stock picking", "Over twenty years most managed funds trail their index "
     "once fees are counted. Here is what that means for your retirement account."),
    ("Building an emergency fund", "Three months of expenses is the usual advice; we explain how "
     "to get there on a modest income."),
    ("What the rate decision means for savers", "Savings accounts may finally earn more than "
     "inflation. Shop around: the best rates are rarely at the big banks."),
    ("Insurance you probably do not need", "Extended warranties and credit insurance rarely pay "
     "for themselves. Term life insurance often does, if anyone depends on you."),
    ("Reader question: how much house can I afford?", "Lenders will approve more than is "
     "comfortable. We suggest keeping housing costs below a third of take-home pay."),
    ("Tax-free accounts explained", "Contribution limits rose this year. If you have spare cash, "
     "use the allowance before the deadline."),
    ("Beware of 'guaranteed' returns", "No honest investment guarantees high returns. If a pitch "
     "promises easy money, walk away and check the regulator's warning list."),
    ("Your credit score in plain words", "Paying on time and using little of your limit matter "
     "most. Checking your own score does not lower it."),
    ("Dividend stocks for income", "Yield is not everything: look at how well the dividend is "
     "covered by earnings."),
)
DIGEST_SUBJECTS = (
    "{brand}: {headline}",
    "{brand} - {month} {n} edition",
    "This week in {topic}: {headline}",
    "{brand} #{n}: {headline}",
    "Your weekly {topic} briefing",
    "{headline} (and more in this issue)",
)
DIGEST_INTROS = (
    "Welcome to this week's edition. Here are the stories our readers clicked most, plus one "
    "we think deserves more attention.",
    "In this issue:",
    "Good morning. A short issue this week; the full versions of each story are on our site.",
    "Hello {first}, here is your {topic} briefing for {day}.",
    "Thanks for subscribing. Below are the week's highlights.",
)
DIGEST_SPONSORS = (
    "SPONSOR: Upgrade your office network this quarter. Business routers from ${price}; visit "
    "our sponsor's site for a free consultation.",
    "This issue is supported by a savings account with no monthly fee. Terms apply; see the "
    "provider's site for the current rate.",
    "Advertisement: our annual reader survey is open. Take five minutes and enter a draw for a "
    "$50 gift card.",
    "",
    "",
)

# ----------------------------------------------------------------------------- ham: events

EVENT_SUBJECTS = (
    "You're invited: {event} on {date}",
    "Early-bird tickets for {event} end {day}",
    "Join us for {event}",
    "Reminder: {event} is next week",
    "Registration is open: {event}",
    "Save the date - {event}, {date}",
)
EVENTS: dict[str, tuple[str, ...]] = {
    "conference": ("our annual developer conference", "a half-day workshop on data pipelines",
                   "the spring summit", "a free webinar on cloud costs", "the regional meetup"),
    "venue": ("the members' preview evening", "a late opening with live music",
              "the family science weekend", "an evening lecture series"),
    "club": ("the seed swap", "the autumn show", "a pruning demonstration"),
    "shop": ("an author signing", "a late-night shopping evening", "our bike maintenance class"),
}
EVENT_BODIES = (
    "We would love to see you at {event} on {date} in {city}. Doors open at 6 pm; there will be "
    "talks, food and plenty of time to meet people.",
    "Tickets are ${price} until {day} (${old} after that). Members and students get in free; "
    "bring your card.",
    "Places are limited to {n}, so please register soon. If you can no longer come, cancel "
    "your booking so someone on the waiting list can take your place.",
    "The programme is online, with speakers from across the industry and a hands-on session in "
    "the afternoon.",
    "There is no charge for this event, but we ask everyone to register so we can plan catering.",
    "Can't make it? All sessions are recorded and sent to registered attendees the week after.",
)

# ----------------------------------------------------------------------------- ham: orders

ORDER_SUBJECTS = (
    "Your {brand} order {order} has shipped",
    "Order confirmation {order}",
    "Your receipt from {brand}",
    "Delivery update for order {order}",
    "We've received your order",
    "Your order {order} is on its way",
    "Your subscription has been renewed",
)
ORDER_LINES = (
    "Thank you for your order. We'll send another email when it ships.",
    "Good news: your order has left our warehouse and is on its way with {carrier}.",
    "Tracking number: {track}",
    "Estimated delivery: {day}",
    "Your subscription renews every year. You can change or cancel it at any time from your "
    "account page.",
    "If anything arrives damaged, reply to this email within 30 days and we will replace it.",
    "Paid with a card ending in {n}.",
)
ORDER_UPSELLS = (
    "Customers who bought this also liked: {item} (${price}).",
    "Need batteries or spares? Add them to your next order for free delivery.",
    "Leave a review of your purchase and get {pct}% off your next order.",
    "",
)

# ----------------------------------------------------------------------------- ham: footers

FOOTERS_2002 = (
    "----------------------------------------------------------------------\n"
    "You are receiving this newsletter because you subscribed at {site}.\n"
    "To unsubscribe, send a blank message to leave-{list}@lists.{domain}\n"
    "or change your preferences at {link}/subscriptions\n"
    "----------------------------------------------------------------------",
    "========================================\n"
    "To stop receiving these emails, visit {link}/unsubscribe?email={addr}\n"
    "Copyright (c) 2002 {brand}. All rights reserved.\n"
    "{street}, {city}",
    "* You received this message because you opted in to {brand} email at {site}. If you no "
    "longer wish to receive it, reply with UNSUBSCRIBE in the subject line, or remove yourself "
    "at {link}/remove.\n* Our privacy policy: {link}/privacy.html",
    "_______________________________________________\n"
    "{list} mailing list -- manage your subscription at {link}/mailman/listinfo/{list}",
    "Please do not reply to this message; the mailbox is not monitored. For help, write to "
    "support@{domain}.\nTo be taken off this list, go to {link}/optout and enter {addr}.",
)
FOOTERS_TODAY = (
    "You are receiving this email because you signed up at {site}.\n"
    "Unsubscribe: {link}/u/{token}  |  Manage preferences: {link}/prefs/{token}\n"
    "{brand}, {street}, {city}",
    "Don't want these emails? Unsubscribe with one click: {link}/unsubscribe?id={token}\n"
    "Privacy policy: {link}/privacy",
    "This message was sent to {addr}. You can update your email preferences or unsubscribe "
    "at any time: {link}/email-preferences\n(c) 2026 {brand}. {street}, {city}.",
    "Sent to {addr} because you have an account with {brand}. Account emails like this one "
    "cannot be switched off, but marketing emails can: {link}/settings/notifications",
    "Want fewer emails? Choose weekly instead of daily: {link}/prefs\nOpt out of all "
    "marketing: {link}/optout/{token}",
)

# ----------------------------------------------------------------------------- spam

SPAM_KINDS = ("knockoff", "pharma", "money", "stock", "prize", "fakeorder", "phish")

SPAM_SUBJECTS: dict[str, tuple[str, ...]] = {
    "knockoff": ("Designer watches at {pct}% off - today only", "OEM software CDs from ${price}",
                 "Ink cartridges up to {pct}% off!!", "RE: your discount code", "Luxury handbags, "
                 "wholesale prices", "Clearance: brand names for ${price}"),
    "pharma": ("Cheap meds without prescription", "Your pharmacy order - {pct}% off",
               "Lose 20 lbs in {n} days", "Feel young again", "Top quality generics shipped "
               "discreetly", "re: refill"),
    "money": ("Lower your mortgage payment today", "Consolidate your debt - approved in minutes",
              "Work from home and earn ${price} a week", "You are pre-approved", "Be your own boss",
              "Stop paying high interest rates"),
    "stock": ("This stock is about to explode", "Hot pick: {sym} set to triple",
              "Investor alert: {sym}", "Breaking news on {sym} - act before the open",
              "Our newsletter's pick for {month}"),
    "prize": ("Congratulations {first}, you have been selected", "Your ${price} gift card is "
              "waiting", "Claim your reward before {day}", "Final notice: unclaimed prize",
              "You won! Confirm your details", "Survey reward for {addr}"),
    "fakeorder": ("Your parcel could not be delivered", "Order {order}: payment failed",
                  "Action needed: delivery fee unpaid", "Your package is on hold",
                  "Invoice {order} for your subscription"),
}
SPAM_BODIES: dict[str, tuple[str, ...]] = {
    "knockoff": (
        "Genuine-looking designer watches at a fraction of the store price. Over 400 models in "
        "stock: Swiss movement, sapphire glass, shipped worldwide in plain packaging.",
        "Why pay full price? Office suites, photo editors and operating systems on CD from "
        "${price}. Same software, no box, instant download available.",
        "Printer ink and toner at the lowest price on the web. Save up to {pct}% compared with "
        "the big brands. Order 3 or more and shipping is free.",
        "Handbags, sunglasses and wallets from famous houses at wholesale prices. Stock is "
        "limited and we never restock the same style twice.",
    ),
    "pharma": (
        "Our online pharmacy ships brand and generic medications with no doctor visit needed. "
        "Prices {pct}% below your local drugstore. Discreet packaging.",
        "Doctors don't want you to know about this natural formula. Thousands have already lost "
        "weight without dieting. Results guaranteed or your money back.",
        "Boost your energy, sleep better and look years younger with our clinically tested "
        "supplement. Order today and get a second bottle free.",
        "Refill your prescriptions for less. Over 200 medications, overnight shipping, no "
        "questions asked.",
    ),
    "money": (
        "Rates have dropped! Homeowners are saving hundreds every month. Fill in our short form "
        "and get up to four free quotes from lenders competing for your business.",
        "Tired of the 9 to 5? Our proven home business system shows you how to earn ${price} a "
        "week in your spare time. No experience needed, no risk.",
        "You have been pre-approved for a loan of up to ${old}, even with bad credit. One low "
        "monthly payment replaces all your bills.",
        "Financial freedom is one click away. Join thousands of ordinary people who now earn a "
        "full-time income from home.",
    ),
    "stock": (
        "{sym} is trading at ${price} and our analysts see a target of ${old} within weeks. "
        "A major announcement is expected. Get in before the crowd does.",
        "Small caps like {sym} can move {pct}% in a day. Our last three picks doubled. Watch "
        "{sym} closely on Monday morning.",
        "This is the investment opportunity of the year. {sym} has a new contract, a patent and "
        "almost no float. Do your own research, then act fast.",
    ),
    "prize": (
        "Dear {first}, your email address was chosen in our monthly draw. To claim your ${price} "
        "reward, confirm your shipping address and pay a small handling fee.",
        "You have been selected to receive a ${price} gift card for completing our two-minute "
        "survey. This offer expires {day}.",
        "Congratulations! You are one of our lucky winners. Only {n} prizes remain unclaimed, "
        "so respond within 48 hours.",
    ),
    "fakeorder": (
        "We tried to deliver your parcel but the customs fee of ${price} was not paid. Your "
        "package will be returned unless you pay within 24 hours.",
        "Your last payment for order {order} was declined. Update your card details to avoid "
        "cancellation of your subscription.",
        "A package addressed to you is waiting at our depot. Confirm your address and pay the "
        "redelivery charge to schedule a new delivery.",
    ),
}
SPAM_CALLS = (
    "Click here to order now: {link}",
    "Visit {link} to claim yours today!",
    "ORDER NOW: {link}",
    "Act now, this offer will not last: {link}",
    "Reply to this email for more details.",
    "Call toll free 1-888-{n}-0199 now.",
    "Get started here: {link}",
)
SPAM_FOOTERS = (
    "To be removed from our mailing list, reply with REMOVE in the subject line.",
    "This message is sent in compliance with the new email bill. If you wish to be removed, "
    "click here: {link}/remove",
    "You received this because you are on our opt-in list. To opt out, send a blank email to "
    "{optout}",
    "This is not spam. You are receiving this email because you or someone using your computer "
    "signed up with one of our partners.",
    "If you no longer wish to receive our offers, unsubscribe here: {link}/unsub",
    "",
)
SPAM_SYMBOLS = ("QXTR", "BLVN", "GRMX", "HLTC", "PVNO", "SKYE", "ZNCR")
SPAM_BRANDS = ("Global Deals Direct", "Online Pharmacy", "Mortgage Team", "Home Business Network",
               "Penny Stock Insider", "Rewards Center", "Delivery Service", "Customer Care",
               "Best Price Outlet", "Health Solutions")
SPAM_WORDS = ("best", "deal", "top", "value", "smart", "prime", "super", "mega", "easy", "quick",
              "direct", "online", "secure", "global", "health", "rate", "cash", "win")
SPAM_TLDS = ("com", "net", "biz", "info", "com", "net", "ru", "cn", "top", "xyz")
FREEMAIL_SPAM = ("hotmail.com", "yahoo.com", "aol.com", "msn.com", "mail.com", "gmail.com")

# ----------------------------------------------------------------------------- ham: the hard part

# Honest commercial mail shouts too: these lines go into a good share of the shop, release,
# event and digest mail, and the subjects replace the plain ones some of the time.
PROMO_LINES = (
    "FREE shipping on every order over ${n} - no code needed!",
    "Click here to see all the deals: {link}/deals",
    "Limited time offer: ends {day} at midnight.",
    "Order today and we'll include a free gift with your purchase.",
    "100% satisfaction guaranteed, or return it within 60 days for a full refund.",
    "Call us toll free at 1-800-{n}-4400, 9 am to 5 pm Eastern, Monday to Friday.",
    "Special offer for subscribers only - just mention this email in the shop.",
    "Don't miss out! Quantities are limited.",
    "Buy now, pay later: no interest for 6 months on orders over $299 (subject to credit "
    "approval).",
    "Try it free for 30 days. No credit card required, no obligation.",
    "SAVE BIG on our best sellers - this week only!",
    "Get a $10 gift card when you spend $50 or more.",
    "Act now: early-bird prices end {day}.",
    "Our lowest prices of the year, with a price-match guarantee.",
    "Click the link below to claim your member discount before {day}:\n{link}/members",
    "Exclusive offer: order 2 and get the 3rd at half price!",
)
PROMO_SUBJECTS = (
    "FREE shipping this weekend only!",
    "Last chance: {pct}% off ends tonight!",
    "Special offer for {brand} subscribers",
    "Don't miss our biggest sale of the year",
    "Your exclusive offer is inside",
    "$10 off your next order",
    "ONE DAY ONLY: SAVE {pct}% SITEWIDE",
    "A free gift with every order",
    "Limited time: {product} for ${price}",
    "Hurry, {first} - prices go up {day}!",
)
# Sponsor slots of 2002-style newsletters: real advertisers, honest offers, spammy words.
SPONSOR_ADS = (
    "*** ADVERTISEMENT ***\nCompare mortgage rates from top lenders in minutes. Free, no "
    "obligation quotes: {link}/ads/mortgage\n**********************",
    "--- SPONSORED LINK ---\nGet your free credit report online and check your score today.\n"
    "{link}/ads/credit",
    "This issue brought to you by an online brokerage: $7.99 trades, no account minimum. "
    "Investing involves risk, including loss of principal.",
    "SPECIAL OFFER FOR READERS: subscribe to our premium edition for just $29 a year - half the "
    "cover price. Click here: {link}/premium",
    "Low-cost term life insurance quotes from A-rated insurers, free and with no obligation: "
    "{link}/ads/insurance",
)
FOOTERS_COMMERCIAL = (
    "This is a commercial message from {brand}, {street}, {city}. You received it because you "
    "asked to receive special offers from us. To be removed from our mailing list, reply with "
    "REMOVE in the subject line or click here: {link}/remove",
    "You are subscribed as {addr}. If you no longer wish to receive promotional email from "
    "{brand}, click here to unsubscribe: {link}/unsubscribe. Please allow up to 10 days for your "
    "request to take effect.",
    "Prices and availability are subject to change without notice. Offer not valid on prior "
    "purchases. (c) {brand}. All rights reserved.\nTo opt out of future mailings, visit "
    "{link}/optout",
)

# ----------------------------------------------------------------------------- ham: accounts

# Account mail from services people use: subscription confirmations, statements, sign-in and
# password notices, renewals. Honest, and worded much like the phishing that imitates it.
SERVICES = (
    ("Northfield Credit Union", "northfieldcu.org"),
    ("Brightwave Broadband", "brightwave.net"),
    ("Cloudnest Photos", "cloudnest.com"),
    ("Meridian Card Services", "meridiancard.com"),
    ("Tally Budget App", "tallyapp.io"),
    ("Parkway Mobile", "parkwaymobile.com"),
    ("Byteline Daily", "byteline.com"),
    ("Stackwise", "stackwise.io"),
)
ACCOUNT_SUBJECTS = (
    "Please confirm your subscription",
    "Your {month} statement is ready",
    "New sign-in to your {brand} account",
    "Your password was changed",
    "Your {brand} plan renews on {date}",
    "Action required: confirm your email address",
    "Your monthly bill of ${price} is ready",
    "Security alert: new device signed in",
)
ACCOUNT_BODIES = (
    "Thanks for signing up for {brand} news. Please confirm your subscription by clicking the "
    "link below; if you did not ask for it, ignore this message and you will hear nothing more.",
    "Your {month} statement is now available online. Log in to your account at {link} to view "
    "it. For your security we never include account details in email.",
    "We noticed a new sign-in to your account from a new device in {city}. If this was you, no "
    "action is needed. If not, change your password from the security page of your account.",
    "The password for your {brand} account was changed on {date}. If you made this change, you "
    "can ignore this email. If you did not, contact our support team straight away.",
    "Your annual plan renews on {date} and your card ending in {n} will be charged ${price}. "
    "To change or cancel your plan, visit your account settings before then.",
    "Your bill for this month is ${price}, due on {date}. Pay online, by phone or by direct "
    "debit; if you already pay by direct debit you need do nothing.",
    "To finish setting up your account, please confirm your email address. The link expires "
    "in 48 hours.",
)
ACCOUNT_NOTES = (
    "We will never ask for your password or PIN by email or phone.",
    "This is a service message about your account; you receive it even if you opted out of "
    "marketing email.",
    "Questions? Call us toll free at 1-800-{n}-2000 or visit {link}/help.",
    "",
)

# ----------------------------------------------------------------------------- ham: louder shapes

# 2002 newsletters shouted in capitals and exclamation marks, listed four-figure prices and ran
# sweepstakes; so do honest ones. These are mixed into the loud mail.
CAPS_HEADINGS = ("THIS WEEK'S SPECIALS", "TOP STORIES", "SPONSORED LINKS", "NEW THIS MONTH",
                 "DON'T MISS", "FEATURED DEALS", "IN THIS ISSUE")
LOUD_EXTRAS = (
    "Don't miss out!! Our biggest sale ends {day}!!",
    "ENTER OUR SWEEPSTAKES: one lucky reader wins a $5,000 shopping spree. No purchase "
    "necessary; official rules at {link}/sweepstakes.",
    "Congratulations to last month's prize winner, {first} from {city}!",
    "Top of the range: the 65 inch OLED TV, now $1,799 (was $2,499).",
    "New customers: get $25 off your first order of $100 or more. Hurry, this offer ends soon!",
    "WIN A TRIP FOR TWO! Subscribe to our print edition before {day} and you are entered.",
)

# ----------------------------------------------------------------------------- spam: phishing

PHISH_SUBJECTS = ("Your account has been suspended", "Unusual sign-in activity detected",
                  "Verify your account within 24 hours", "Security alert: confirm your identity",
                  "Your mailbox is almost full", "Final notice: update your billing details")
PHISH_BODIES = (
    "Dear valued customer, we detected unusual activity on your account and have temporarily "
    "suspended it. To restore access, verify your identity using the secure link below.",
    "Your account will be closed within 24 hours unless you confirm your account details. "
    "Failure to verify will result in permanent closure.",
    "Dear user, your mailbox quota is full and new messages are being held. Log in to upgrade "
    "your storage and release them.",
    "We were unable to process your last payment. Update your billing details now to avoid "
    "suspension of service.",
)
PHISH_BRANDS = ("paypal", "apple", "microsoft", "amazon", "netflix", "wellsfargo", "office365",
                "chase", "dhl")
SPAM_SUBJECTS["phish"] = PHISH_SUBJECTS
SPAM_BODIES["phish"] = PHISH_BODIES
