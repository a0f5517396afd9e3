"""The signals of a prompt injection: what text aimed at a model (not at a person) looks like.

Why it exists: attacks are not a fixed list of phrases. They share a structure: they speak to an
AI, cancel its rules, ask for mail to be moved or sent out, for secrets, for other mail, plant
links with blanks to fill, claim authority, ask for silence, forge the end of the email or a
chat turn, or ask for a payload to be decoded and obeyed. Each signal here is one of those, in
ten languages (en, es, fr, de, it, pt, nl, pl, ru, zh, with ja where it is cheap), with a
weight; `injection_rules.py` adds the weights of the signals found and compares the sum with a
threshold chosen on the development half of bench/data/injection.

Each signal has a gate: words (a set test on the words the rules already split) or, for text
that is not ASCII, substrings. Ordinary mail rarely passes a gate, so it never pays for the
regexes. Patterns run on lower-cased, folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Signal:
    """One kind of evidence: a reason shown to the operator, a weight, a cheap gate, a pattern."""

    reason: str
    weight: float
    words: frozenset[str]
    subs: tuple[str, ...]  # gate substrings, tried only on text that is not ASCII
    pattern: re.Pattern[str]
    needs: tuple[frozenset[str], ...] = ()  # and a word of each of these groups
    cues: tuple[str, ...] = ()  # and one of these substrings, if any are given
    alts: tuple[str, ...] = ()  # the pattern's alternatives, as written


def _top_level(alternative: str) -> list[str]:
    """The alternative split at its top-level `|` (outside groups and character classes)."""
    out: list[str] = []
    cur: list[str] = []
    depth, in_class, escaped = 0, False, False
    for ch in alternative:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]" or cur[-1] == "["
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and not depth:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    return [*out, "".join(cur)]


def _union(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching wherever any alternative does. Those that start at a word boundary
    share one `\\b`, those that start a line one `^`: the engine tries every alternative at
    every position of a line, so testing the boundary once first halves the guard's regex time
    (only `search`'s yes/no is used, and that does not depend on the order of the alternatives)."""
    parts = [p for a in alternatives for p in _top_level(a)]
    union: list[str] = []
    for lead in ("\\b", "^"):
        led = [p[len(lead):] for p in parts if p.startswith(lead)]
        parts = [p for p in parts if not p.startswith(lead)]
        if led:
            union.append(lead + "(?:" + "|".join(f"(?:{p})" for p in led) + ")")
    return re.compile("|".join(union + [f"(?:{p})" for p in parts]), re.M)


def _sig(reason: str, weight: float, words: str, subs: str, *alternatives: str,
         needs: str = "", cues: tuple[str, ...] = ()) -> Signal:
    return Signal(reason, weight, frozenset(words.split()), tuple(subs.split()), _union(alternatives),
                  tuple(frozenset(g.split()) for g in needs.split("|") if g.strip()),
                  cues, alternatives)


_AI = (r"\b(?:ai|a\.i\.|llm|gpt|chatgpt|copilot|gemini|claude|chatbot|bot|assistant(?:s|en)?|agent(?:s|en|e|i)?|"
       r"models?|language models?|summari[sz]er|classifier|automated (?:reader|system|assistant|agent)|"
       r"ia|asistente|modelo|assistente|modello|modèle|ki|assistent|modell|asystent|"
       r"ассистент|модел\w*|агент\w*|бот|ии|нейросеть)\b")
_LEAD = (r"(?:hey|hi|hello|dear|attention|note for|note to|message for|message to|memo for|"
         r"instructions? for|to|for|al|a la|para|nota para|à|pour|note pour|an|für|hinweis für|"
         r"per|nota per|ao|para o|voor|dla|для|примечание для|сообщение для)")
_FILL = r"(?:(?!my\b|our\b|mein\w*\b|mon\b|ma\b|mi\b|mio\b|meu\b|мо\w+\b)[\w'’]+[\s-]+)"
_W = r"(?:[^.\n!?]|[.!?](?=\S))"  # a character of the same sentence (dots inside addresses are)
_ME_BAN = r"(?!\s+(?:i|we)\s+(?:sent|gave|wrote|mentioned|shared))"

SIGNALS: tuple[Signal, ...] = (
    _sig("speaks to an AI", 2.0,
         "ai llm gpt chatgpt copilot gemini claude chatbot bot bots assistant assistants agent agents "
         "agenten model models summariser summarizer classifier automated ia asistente agente modelo "
         "assistente modello modèle ki assistent modell asystent summarizing summarising classifying "
         "triaging lagente lagent lassistente lassistant lia unia dellia allia allagente lassistente "
         "dellassistente lintelligence",  # French and Italian elide: "l'agente" is one word
         "ассистент модел агент бот ии нейросет ai 助手 模型 代理 人工智能 机器人 アシスタント モデル エージェント",
         # a vocative at the start of a line or sentence: "Assistant," "GPT:" ...
         rf"(?:^|[.!?:]\s+)\W{{0,3}}{_AI}\s*(?:[,:—–]|\s-\s)",
         # ... or led in: "To the AI model processing this inbox:", "Note for the mail agent:"
         rf"(?:^|[.!?]\s+)\W{{0,3}}{_LEAD}\s+(?:the |any |all |whatever |an? |this |le |la |l'|el |"
         rf"il |lo |o |der |die |das |den |dem |de )?{_FILL}{{0,3}}{_AI}\b(?:[\s-]+[\w'’-]+){{0,6}}?\s*(?:[,:—–]|\s-\s)",
         rf"\battention,?\s+(?:the\s+|any\s+)?(?:{_AI})\b",
         # "If an LLM is reading this", "if you are an AI", "si eres una IA" ...
         rf"\bif (?:an?|the|any) {_AI} (?:is )?(?:reading|processing|sees|parses)",
         rf"\bif you(?: are|'re) (?:an?|the) (?:\w+ )?{_AI}\b",
         r"\b(?:si eres|si tu es|falls du|wenn du|se sei|se você é|se voce e|als je|jeśli jesteś|если ты)"
         r"\s+(?:una?|un'|une|eine|ein|uma|een)?\s*(?:ia|ki|ai|llm|asistente|assistant|assistent|"
         r"modelo|modèle|modell|bot|ии|ассистент|модель)\b",
         rf"\b{_AI}s?\s+(?:that is |who is |which is )?(?:reading|processing|sorting|handling|"
         r"triaging|summari[sz]ing|scanning|parsing)\s+(?:this|these|the|my)\b",
         r"(?:^|\n|。)\s*(?:致|给|給)?[^\n，：:,。a-z]{0,12}(?:(?<![a-z])ai(?![a-z])|助手|模型|代理|人工智能|机器人)[^\n，：:,。a-z]{0,8}[，：:,]",
         rf"\byou are (?:now )?(?:an? |the )?(?:helpful |new |friendly )?{_AI}\b|\bfrom now on,? you\b|"
         r"\byou are now (?:a|an|in)\b",
         r"\b(?:when|while|if) (?:you(?: are)? )?(?:summari[sz](?:e|ing)|classify(?:ing)?|triag(?:e|ing)|"
         r"processing|reading) (?:this|these|the) (?:e-?mails?|messages?|mail|thread|inbox)\b",
         r"如果你是[^\n。]{0,12}(?:(?<![a-z])ai(?![a-z])|人工智能|模型|助手)",
         ),
    _sig("cancels its instructions", 2.0,
         "ignore disregard forget above preceding aside skip bypass override void cancelled canceled replaced "
         "attention date longer ignora olvida omite ignore oublie ignorez oubliez ignoriere "
         "ignoriert vergiss missachte dimentica ignorate esqueça esqueca desconsidere negeer vergeet "
         "zignoruj zapomnij ignoruj válidas valen appliquent gelten valgono valem superseded obsolete "
         "aufgehoben anuladas annulées",
         "игнорир забудь обращай действуют отменен 忽略 忘掉 忘记 无视 不要理会 作废 失效 無視 忘れ",
         rf"\b(?:ignore|disregard|forget|set aside|skip|bypass|override|pay no attention to)\b(?:(?!\bmy\b|\bour\b){_W}){{0,40}}?\b(?:instructions?|rules|guidance|"
         rf"guidelines|(?:system )?prompt|brief|policy|directions|directives|checks|setup|"
         rf"programming|guardrails|everything (?:you were|above|before))\b{_ME_BAN}",
         r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|everything\s+)?(?:above|preceding)\b"
         r"(?!\s+(?:e-?mail|message|mail|note|link|post|address|number|file|attachment))",
         rf"\b(?:instructions?|guidance|rules|directions|brief|policy)\b{_W}{{0,40}}?\b(?:are |is |were |was )?"
         r"(?:cancell?ed|void|out of date|no longer (?:apply|applies|valid|hold)|(?:been )?replaced|"
         r"obsolete|superseded)\b",
         rf"\b(?:ignora|olvida|omite|descarta|no hagas caso a)\b{_W}{{0,30}}?\b(?:instrucciones|reglas|"
         r"indicaciones|normas|directrices|lo que te (?:dijeron|han dicho))",
         rf"\b(?:instrucciones|reglas)\b{_W}{{0,30}}\b(?:ya no (?:son válidas|valen|aplican)|quedan anuladas)",
         rf"\b(?:ignore|oublie|ignorez|oubliez|ne tiens pas compte)\b{_W}{{0,30}}?\b(?:consignes|"
         r"instructions|règles|directives)\b",
         rf"\b(?:règles|consignes|instructions)\b{_W}{{0,30}}(?:ne s'appliquent plus|ne sont plus valables|sont annulées)",
         rf"\b(?:ignorier\w*|vergiss|vergessen sie|missachte\w*)\b{_W}{{0,30}}?\b(?:anweisungen|"
         r"vorgaben|regeln|richtlinien|instruktionen)\b",
         rf"\b(?:regeln|anweisungen|vorgaben)\b{_W}{{0,30}}\b(?:gelten (?:ab sofort )?nicht mehr|sind aufgehoben|ungültig)",
         rf"\b(?:ignora|dimentica|ignorate|dimenticate)\b{_W}{{0,30}}?\b(?:istruzioni|regole|indicazioni|direttive)\b",
         rf"\b(?:istruzioni|regole)\b{_W}{{0,30}}(?:non valgono più|non sono più valide|annullate)",
         rf"\b(?:ignore|esqueça|esqueca|desconsidere)\b{_W}{{0,30}}?\b(?:instruções|instrucoes|regras|"
         r"orientações|diretrizes|o que lhe disseram)",
         rf"\b(?:regras|instruções)\b{_W}{{0,30}}(?:não valem mais|não se aplicam mais|foram anuladas)",
         rf"\b(?:negeer|vergeet)\b{_W}{{0,30}}?\b(?:instructies|regels|richtlijnen)\b",
         rf"\b(?:zignoruj|zapomnij|ignoruj)\b{_W}{{0,30}}?\b(?:instrukcje|zasady|polecenia|reguły)\b",
         rf"(?:игнорир\w*|забудь\w*|не обращай внимания на){_W}{{0,30}}?(?:инструкци\w*|указани\w*|правил\w*)",
         rf"(?:правила|инструкции|указания){_W}{{0,30}}(?:больше не действуют|отменены|недействительны)",
         r"(?:忽略|忘掉|忘记|无视|不要理会)[^。\n]{0,15}?(?:指令|规则|指示|设定|提示)",
         r"(?:设定|规则|指令)[^。\n]{0,10}(?:作废|失效|不再有效)",
         r"(?:指示|ルール|命令)[^。\n]{0,6}(?:無視|忘れ)",
         needs="instructions instruction rules guidance guidelines prompt brief policy directions directives "
               "checks setup programming guardrails everything above preceding told instrucciones reglas "
               "indicaciones normas directrices dijeron consignes règles anweisungen vorgaben regeln "
               "richtlinien instruktionen istruzioni regole indicazioni direttive instruções instrucoes "
               "regras orientações diretrizes disseram instructies regels richtlijnen instrukcje zasady "
               "polecenia reguły",
         ),
    _sig("orders it to drop its instructions", 0.5,
         "ignore disregard forget",
         "",
         r"(?:^|[.!?:]\s+|\bplease\s+|\band\s+|\bnow\s+)(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?"
         r"(?:your\s+|the\s+|any\s+)?(?:previous|prior|earlier|above|preceding|original|system)\s+"
         r"(?:instructions?|prompts?|rules|directives)\b",
         ),
    _sig("bulk mail action", 2.0,
         "forward send copy bcc cc export upload delete remove erase move reply create mark "
         "reenvía reenvia envía envia borra elimina mueve transfère transfere envoie supprime "
         "déplace leite schicke sende lösche verschiebe inoltra invia elimina sposta encaminhe "
         "envie apague mova stuur verwijder verplaats przekaż usuń wyślij",
         "перешли отправь удали перемести корзин 转发 发送 删除 移到 回收站",
         rf"\b(?:forward|send|copy|bcc|export|upload|delete|remove|erase|move|reply)\b{_W}{{0,50}}?"
         r"\b(?:all|every|each|everything|the (?:\w+ )?(?:last|most recent|latest)|(?:ten|\d+) "
         rf"(?:most recent|last|latest)|whole|entire)\b{_W}{{0,30}}?\b(?:messages?|e-?mails?|mail|inbox|"
         r"mailbox|folders?|invoices?|contacts|address book|thread|repl(?:y|ies)|attachments)\b",
         rf"\b(?:create|add|set up)\b{_W}{{0,20}}\b(?:forwarding|redirect|inbox) rule\b",
         rf"\bbcc\b{_W}{{0,60}}@",
         rf"\b(?:reply|respond)\b{_W}{{0,40}}\b(?:attach|include|with)\b{_W}{{0,30}}\b(?:contact list|"
         r"address book|inbox|contents|passwords?)\b",
         rf"\bmark (?:every|all)\b{_W}{{0,60}}\bas (?:safe|trusted|read|not spam)\b",
         rf"\b(?:reenvía|reenvia|envía|envia|borra|elimina|mueve)\b{_W}{{0,40}}\b(?:todos|todas|"
         rf"últimos|ultimos|todo|la carpeta)\b{_W}{{0,30}}\b(?:correos|mensajes|facturas|carpeta|papelera)\b",
         rf"\b(?:transfère|envoie|supprime|déplace)\b{_W}{{0,40}}\b(?:tous|toutes|derniers|le dossier)\b"
         rf"{_W}{{0,30}}\b(?:e-mails|messages|factures|dossier|corbeille)\b",
         rf"\b(?:leite|schicke|sende|lösche|verschiebe)\b{_W}{{0,40}}\b(?:alle|aller|allen|letzten|den ordner)\b"
         rf"{_W}{{0,40}}\b(?:e-mails|nachrichten|rechnungen|ordner|papierkorb|weiter)\b",
         rf"\b(?:inoltra|invia|elimina|sposta)\b{_W}{{0,40}}\b(?:tutti|tutte|ultimi|la cartella)\b"
         rf"{_W}{{0,30}}\b(?:messaggi|email|fatture|cartella|cestino)\b",
         rf"\b(?:encaminhe|envie|apague|mova)\b{_W}{{0,40}}\b(?:todas|todos|últimas|ultimas|a pasta)\b"
         rf"{_W}{{0,30}}\b(?:mensagens|e-mails|faturas|pasta|lixeira)\b",
         rf"\b(?:stuur|verwijder|verplaats)\b{_W}{{0,40}}\b(?:alle|laatste)\b{_W}{{0,30}}\b(?:e-mails|berichten|facturen)\b",
         rf"\b(?:przekaż|usuń|wyślij)\b{_W}{{0,40}}\b(?:wszystkie|ostatnie)\b{_W}{{0,30}}\b(?:wiadomości|e-maile|faktury)\b",
         rf"(?:перешли|отправь|удали|перемести){_W}{{0,40}}(?:все|последние|папку){_W}{{0,30}}(?:пис\w+|сч[её]т\w*|корзин\w*|папк\w*)",
         r"(?:转发|发送|删除|移到)[^。\n]{0,20}(?:所有|最近|全部)[^。\n]{0,10}(?:邮件|发票)",
         r"把[^。\n]{0,20}(?:邮件|发票|文件夹)[^。\n]{0,8}(?:转发|发送|移到|删除)",
         r"(?:删除|转发)[^。\n]{0,12}(?:所有|全部)[^。\n]{0,6}邮件",
         needs="all every each everything last recent latest whole entire rule contact address passwords "
               "contents todos todas tous toutes alle aller allen tutti tutte últimos ultimos derniers "
               "letzten ultimi últimas ultimas wszystkie laatste ostatnie carpeta dossier ordner cartella "
               "pasta | messages message emails email mail inbox mailbox folder folders invoices invoice "
               "contacts contact address thread replies reply attachments correos mensajes facturas "
               "carpeta papelera mails factures dossier corbeille nachrichten rechnungen ordner "
               "papierkorb messaggi fatture cartella cestino mensagens faturas pasta lixeira berichten "
               "facturen wiadomości faktury weiter trash",
         ),
    _sig("bulk mail action", 2.0, "bcc", "", r"\bbcc\b[^\n]{0,60}@", cues=("@",)),
    _sig("asks for a tool call", 1.5,
         "call invoke run execute use rule tool function",
         "",
         r"\b(?:call|invoke|run|execute|use)\s+(?:the\s+|your\s+)?`?[a-z]+_[a-z_]+`?\s*"
         r"(?:\(|tool|function|command|action|with)",
         r"\b(?:use|call|invoke)\s+(?:the\s+|your\s+)?(?:\w+\s+)?(?:tool|function|plugin|api)\s+to\b",
         cues=('_', ' tool', ' function', ' plugin', ' api '),
         ),
    _sig("asks for prompt or secrets", 2.5,
         "prompt instructions key keys configuration config credentials passwords password tokens token "
         "secrets secret environment above settings clave contraseña configuración clé passe "
         "schlüssel passwort konfiguration systemprompt chiave configurazione chave senha "
         "configuração sleutel wachtwoord configuratie klucz hasło konfiguracji",
         "выведи покажи сообщи назови повтори раскрой 输出 告诉我 显示 透露 重复 教えて 表示",
         r"\b(?:print|reveal|show|tell me|repeat|write out|output|display|dump|list|quote|give me|"
         r"what (?:is|are|were))\b[^.\n?]{0,40}?\b(?:system prompt|(?:initial|original|hidden) "
         r"(?:instructions|prompt)|prompt you were given|api[ -]?keys?|your (?:configuration|settings)|"
         r"config(?:uration)? file|"
         r"credentials|passwords|tokens|secrets|environment variables|text above)\b",
         r"(?:^|[.!?:;,]\s*|\band\s+|\bplease\s+|\bnow\s+)(?:reply|respond|answer)\s+with\s+(?:the\s+|your\s+)?"
         r"(?:admin\s+|root\s+)?(?:password|"
         r"credentials|api[ -]?key|token|secret)s?\b",
         rf"\b(?:muestra|dime|revela|imprime|repite)\b{_W}{{0,30}}\b(?:prompt|clave|contraseña|configuración)",
         rf"\b(?:affiche|donne-moi|révèle|répète|montre)\b{_W}{{0,30}}\b(?:prompt|clé|mot de passe|configuration)",
         rf"\b(?:gib|nenne|zeige|verrate|wiederhole)\b{_W}{{0,30}}(?:systemprompt|prompt|schlüssel|passwort|konfiguration)",
         rf"\b(?:mostra|dimmi|rivela|ripeti|stampa)\b{_W}{{0,30}}\b(?:prompt|chiave|password|configurazione)",
         rf"\b(?:mostre|diga|revele|repita|imprima)\b{_W}{{0,30}}\b(?:prompt|chave|senha|configuração)",
         rf"\b(?:toon|geef|herhaal)\b{_W}{{0,30}}\b(?:systeemprompt|prompt|sleutel|wachtwoord|configuratie)",
         rf"\b(?:pokaż|podaj|wypisz)\b{_W}{{0,30}}\b(?:prompt|klucz|hasło|konfiguracj)",
         rf"(?:выведи|покажи|сообщи|назови|повтори|раскрой){_W}{{0,30}}(?:промпт|ключ|парол|настройк|конфигурац)",
         r"(?:输出|告诉我|显示|透露|重复)[^。\n]{0,15}(?:提示词|密钥|密码|配置)",
         r"(?:プロンプト|apiキー|パスワード)[^。\n]{0,10}(?:教えて|表示|出力)",
         needs="reply respond answer print reveal show tell repeat write output display dump list quote "
               "give what muestra dime revela imprime repite affiche donne révèle répète montre gib "
               "nenne zeige verrate wiederhole mostra dimmi rivela ripeti stampa mostre diga revele "
               "repita imprima toon geef herhaal pokaż podaj wypisz",
         ),
    _sig("asks about other mail", 2.0,
         "emails messages mails mail inbox unread thread correos mensajes nachrichten messaggi "
         "mensagens wiadomości email",
         "перечисли перескажи остальн 列出 总结 其他邮件 処理",
         rf"\b(?:list|summari[sz]e|report|overview|tell me what|give me|recap|read out)\b{_W}{{0,50}}?"
         r"\b(?:other (?:e-?mails|messages|mails)|all (?:of the |the )?(?:unread )?(?:mail|e-?mails|"
         r"messages)|(?:e-?mails|messages|mail) you (?:have )?(?:processed|read|saw|handled|seen)|"
         r"previous (?:e-?mails|messages)|rest of the inbox|every (?:message|e-?mail)|unread mail|"
         r"other messages in this thread)\b",
         rf"\b(?:enumera|resume|lista)\b{_W}{{0,30}}\b(?:demás correos|otros correos|todos los mensajes)",
         rf"\b(?:liste|résume)\b{_W}{{0,30}}\b(?:autres e-mails|autres messages|tous les messages)",
         rf"\b(?:liste|fasse)\b{_W}{{0,30}}\b(?:anderen e-mails|anderen nachrichten|alle nachrichten)",
         rf"\b(?:elenca|riassumi)\b{_W}{{0,30}}\b(?:altre email|altri messaggi|tutti i messaggi)",
         rf"\b(?:liste|resuma)\b{_W}{{0,30}}\b(?:outros e-mails|outras mensagens|todas as mensagens)",
         rf"\b(?:podsumuj|wypisz)\b{_W}{{0,30}}\b(?:inne wiadomości|wszystkie wiadomości)",
         rf"(?:перечисли|перескажи){_W}{{0,30}}(?:остальных пис|других пис|все письма)",
         r"(?:列出|总结)[^。\n]{0,12}(?:其他邮件|所有邮件|处理过的)",
         needs="list summarise summarize report overview tell give recap read enumera resume lista "
               "liste résume fasse elenca riassumi resuma podsumuj wypisz | other all every unread previous "
               "rest you demás otros todos autres tous anderen alle altre altri tutti outros outras todas "
               "inne wszystkie",
         ),
    _sig("mail the reader processed", 1.0,
         "processed read handled seen today leído letto leu gelesen traités",
         "прочитал обработал 处理过 今天",
         r"\b(?:e-?mails?|messages?|mails?|inbox) (?:that |which )?you (?:have )?(?:read|processed|"
         r"handled|seen|summari[sz]ed|triaged)\b|\byou (?:have )?(?:processed|triaged|summari[sz]ed) today\b",
         r"\bque (?:has leído|has procesado|tu as (?:lus?|traités?)|você leu|você processou)\b|"
         r"\bche hai (?:letto|elaborato)\b|\bdie du (?:heute )?(?:gelesen|bearbeitet)\b|"
         r"которые ты (?:прочитал|обработал)|你今天(?:处理|阅读)过",
         needs="you que che die которые 你今天 | emails messages mails mail inbox email correos mensajes "
               "messaggi nachrichten mensagens письма 邮件",
         ),
    _sig("tells it what to tell the user", 1.0,
         "tell inform warn advise instruct",
         "",
         r"\b(?:tell|inform|warn|advise|instruct) the (?:reader|user|recipient|mailbox owner) (?:to|that)\b",
         needs="reader user recipient owner",
         ),
    _sig("link with a blank to fill", 3.0,
         "http https",
         "",
         r"(?:https?://|\]\()\S*?[?&=/](?:\{\{?[^}\s]{2,40}\}?\}|\[[^\]\s]{2,40}\]|<[^>\s]{2,40}>|"
         r"%7b[^%\s]{2,40}%7d|\$[a-z_]{3,}\b|insert_\w+|\w+_here\b)",
         cues=('={', '=[', '=<', '=%7b', '/{', '=$', 'insert_', '_here', '](http', '/[', '/<', '?{'),
         ),
    _sig("claims authority", 1.5,
         "administrator admin owner operator developer security authorise authorize authorization "
         "authorisation override approval approved clearance cleared sanctioned legally obliged "
         "directive administrador autorización aprobación administrateur autorisation "
         "systemadministrator freigabecode genehmigung amministratore autorizzazione approvazione "
         "autorização aprovação beheerder administratorem",
         "администратор код подтверждения одобрени 管理员 授权码 批准",
         r"\b(?:i am|i'm|this is|here is|message from) (?:the |your )?(?:mailbox owner|account owner|"
         r"system administrator|administrator|admin|operator|developer|owner of this|security team)\b",
         r"\b(?:override|authori[sz]ation|approval|clearance) code\b|\bcleared to\b|\bstanding approval\b|"
         r"\bsanctioned test\b|\blegally (?:obliged|required) to\b|\bi (?:hereby )?authori[sz]e you\b|"
         r"\bapproved by (?:the )?(?:ceo|cfo|admin|administrator|operator|management)\b|"
         r"\bpriority directive\b|\bsecurity team here\b",
         r"\badministrador del sistema\b|\bcódigo de autorización\b|\baprobación del operador\b|"
         r"\badministrateur système\b|\bcode d'autorisation\b|\baccord de l'opérateur\b|"
         r"\bsystemadministrator\b|\bfreigabecode\b|\bgenehmigung des betreibers\b|"
         r"\bamministratore di sistema\b|\bcodice di autorizzazione\b|\bapprovazione dell'operatore\b|"
         r"\badministrador do sistema\b|\bcódigo de autorização\b|\baprovação do operador\b|"
         r"\bsysteembeheerder\b|\bautorisatiecode\b|\badministrator systemu\b|\bkod autoryzacji\b",
         r"системный администратор|код подтверждения|одобрения оператора|系统管理员|授权码|经运营方批准",
         ),
    _sig("asks for secrecy", 2.0,
         "user owner recipient operator human quietly silently summary usuario utilisateur benutzer utente "
         "usuário gebruiker użytkownikowi lutente allutente dellutente lutilisateur",
         "не сообщай пользовател 不要告诉 ユーザーに",
         rf"\b(?:do not|don't|dont|never) (?:mention|tell|inform|notify|alert|reveal|let)\b{_W}{{0,25}}?"
         r"\b(?:the )?(?:user|owner|recipient|operator|human|mailbox owner)\b",
         r"\b(?:the )?(?:user|owner|human) (?:must|should|may) not (?:be told|know|notice|find out|learn)",
         r"\bkeep (?:this|it)(?: step| part| note)? (?:out of|from) (?:your|the) (?:summary|reply|report|user)",
         r"\bdo (?:it|this) (?:quietly|silently)\b|\bwithout (?:telling|notifying|"
         r"informing|alerting) (?:the )?(?:user|owner|anyone)",
         r"\bno se lo digas al usuario\b|\bn'en parle pas à l'utilisateur\b|\bsag dem benutzer nichts\b|"
         r"\bnon dirlo all'utente\b|\bnão conte ao usuário\b|\bvertel (?:het )?(?:niet )?aan de gebruiker\b|"
         r"\bnie mów użytkownikowi\b",
         r"не сообщай\w* (?:об этом )?пользовател|不要告诉用户|ユーザーに(?:は)?(?:言わ|伝え)ない",
         needs="mention tell inform notify alert reveal let told know notice find learn keep quietly "
               "silently without digas parle sag dirlo conte vertel mów",
         ),
    _sig("sets its own verdict", 2.5,
         "label mark score classify categorise categorize tag flag route file priority queue injection "
         "confidence review marca clasifica classe marque stufe markiere classifica segna classifique "
         "markeer oznacz",
         "пометь отметь 标记 优先级",
         r"\b(?:file|label|mark|score|classify|categori[sz]e|tag|flag|route)\s+(?:this|the)\s+"
         r"(?:(?:e-?mail|message|mail|thread|ticket)\s+)?as\b(?!\s+(?:read|done|resolved|spam)\b)",
         r"\b(?:classify|categori[sz]e|file|route|label)\s+(?:it\s+|this\s+|them\s+)?(?:as|to|under)\s+(?:an?\s+)?"
         r"(?:notification|newsletter|invoice|personal|complaint|outage|sales[ -]lead|safe|trusted|urgent|"
         r"incidents?|legitimate|verified|not spam)\b",
         r"\broute\s+(?:this|the|all)\s+(?:sender|e-?mails?|messages?|mail)\s+to\b|\broute (?:this|it) to \w+",
         r"\bpriority\s*(?:of\s+|=\s*|:\s*)?(?:9\d|100)\b|\b(?:never|do not|don't) (?:send|route) "
         rf"(?:it|this)\b{_W}{{0,15}}\breview\b|\btop of the queue\b|\bcontains no injection\b|"
         r"\binjection\s*[=:]\s*false\b|\bwith full confidence\b|\bconfidence\s*[=:]\s*1(?:\.0+)?\b",
         r"\b(?:marca|clasifica) (?:este|el) (?:correo|mensaje) como\b|\b(?:classe|marque) (?:ce|cet) "
         r"(?:message|e-mail|mail) comme\b|\b(?:stufe|markiere) diese (?:nachricht|e-mail|mail) als\b|"
         r"\b(?:classifica|segna) questa (?:email|mail|messaggio) come\b|\b(?:classifica|segna) questo "
         r"messaggio come\b|\b(?:classifique|marque) (?:esta|este) (?:mensagem|e-mail) como\b|"
         r"\bmarkeer dit (?:bericht|e-mail) als\b|\boznacz (?:tę|tą) wiadomość jako\b",
         r"(?:пометь|отметь) это письмо как|把这封邮件标记为|优先级\s*9\d",
         ),
    _sig("forged turn or end of email", 2.0,
         "im inst sys endoftext system email user assistant instructions instruction untrusted document "
         "end ends task human ai developer operator role override",
         "",
         r"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>|\[/?inst\]|<</?sys>>",
         r"</?(?:system|email|user|assistant|instructions?|untrusted|document)>",
         r"^\W{0,5}(?:end of (?:the )?(?:email|e-mail|message|customer text|untrusted (?:content|text|data))|"
         r"message ends here|new task|new instructions?)\b",
         r"^\s*#{1,6}\s*(?:system|user|assistant|instructions?|new instructions?)\s*:?\s*$",
         r"^\s*(?:user|human|assistant|ai|system|developer|operator)(?: note| message| override| prompt)?"
         r"\s*(?::(?!:)|>>)\s*\S",
         r"\bemail-end-[0-9a-f]{6,}|\"role\"\s*:\s*\"(?:system|developer|assistant)\"|\bsystem override\b",
         # one of these must be on the line before the patterns run
         cues=("<|", "[inst", "[/inst", "<<sys", "</", "<system", "<user", "<email", "<assistant",
               "<instruction", "<untrusted", "<document", "end of", "ends here", "new task", "new instruction",
               "#", ":", ">>", '"role"', "email-end-", "system override")),
    _sig("decode-and-obey", 2.0,
         "decode decoder decipher convert base64 hex rot13 encoded decodifica décode dekodiere "
         "decodifique decodeer zdekoduj",
         "декодир 解码 デコード",
         rf"\b(?:decode|decipher|convert|run)\b{_W}{{0,50}}\b(?:follow|obey|execute|carry out|do (?:it|what|as)|"
         r"act on|comply|apply)\b",
         rf"\b(?:base64|base-64|hex|hexadecimal|rot13|rot-13|url encoding|url-encoded)\b{_W}{{0,40}}"
         rf"\b(?:decode|decoder)\b{_W}{{0,30}}\b(?:do|follow|execute|obey)\b",
         rf"\b(?:decodifica|décode|dekodiere|decodifique|decodeer|zdekoduj)\b{_W}{{0,50}}"
         r"\b(?:haz|exécute|führe|esegui|faça|faca|voer|wykonaj)\b",
         rf"декодир\w*{_W}{{0,50}}выполни|解码[^。\n]{{0,30}}执行|デコード[^。\n]{{0,30}}実行",
         ),
)

# Hidden text a human never sees is suspect when it speaks to a model or gives orders at all.
HIDDEN_WORDS = frozenset(
    "ai llm gpt assistant chatbot bot model agent ignore disregard forward send reply delete move "
    "classify mark priority instructions prompt system password secret summarise summarize "
    "ia ki asistente assistente assistent modelo modello modell".split())
HIDDEN_SUBS = ("ии", "ассистент", "助手", "模型", "指令", "перешли", "удали", "转发", "删除")
