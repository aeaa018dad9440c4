// Every string of the operator panel and the supervisor pages, in Russian and English. The UI
// reads nothing else: elements carry data-i18n="key" and scripts call t('key').
const CATALOGUE = {
  ru: {
    'app.title': 'pbxdesk — рабочее место оператора',
    'sup.title': 'pbxdesk — супервизор',
    'signin.title': 'Вход', 'signin.login': 'Логин', 'signin.password': 'Пароль', 'signin.submit': 'Войти',
    'signin.failed': 'Неверный логин или пароль', 'signin.throttled': 'Слишком много попыток, попробуйте позже',
    'signout': 'Выйти', 'lang': 'English', 'nav.desk': 'Рабочее место', 'nav.supervisor': 'Супервизор',
    'ivr.menu': 'меню', 'ivr.ticket': 'обращение', 'ivr.verify': 'код', 'ivr.language': 'язык', 'ivr.hours': 'часы работы', 'ivr.callback': 'обратный звонок', 'ivr.callback-offer': 'предложен обратный звонок', 'ivr.route': 'линия', 'ivr.overflow': 'перелив', 'ivr.survey': 'оценка',
    'phone.registered': 'Телефон подключён', 'phone.connecting': 'Подключение телефона…', 'phone.offline': 'Телефон не подключён',
    'state.available': 'Доступен', 'state.paused': 'Пауза', 'state.on_call': 'Разговор', 'state.wrap_up': 'Постобработка', 'state.offline': 'Не в сети',
    'reason.break': 'перерыв', 'reason.training': 'обучение', 'reason.other': 'другое', 'reason.missed': 'пропущенный вызов',
    'pause.with': 'Пауза:', 'go.available': 'Готов принимать', 'go.offline': 'Не в сети',
    'idle.title': 'Ожидание вызова', 'idle.hint': 'Когда позвонят, здесь появится карточка клиента с обращением.',
    'ring.title': 'Входящий вызов', 'ring.answer': 'Ответить', 'ring.reject': 'Отклонить',
    'pop.caller': 'Номер', 'pop.account': 'Аккаунт', 'pop.notVerified': 'не подтверждён', 'pop.verified': 'подтверждён',
    'pop.failed': 'код неверный', 'pop.ivr': 'Путь в меню', 'pop.language': 'Язык', 'pop.waited': 'Ожидал', 'pop.line': 'Линия',
    'pop.claim': 'набран номер обращения {number} — не подтверждён', 'pop.claimConfirm': 'Проверил, привязать к {number}', 'pop.claimDone': 'Звонок привязан к обращению {number}',
    'pop.noTicket': 'Новое обращение будет создано', 'pop.history': 'Прошлые звонки', 'pop.notes': 'Заметки', 'pop.noHistory': 'нет',
    'line.first': 'первая линия', 'line.second': 'вторая линия',
    'call.title': 'Разговор', 'call.mute': 'Микрофон', 'call.unmute': 'Включить микрофон', 'call.hold': 'Удержание', 'call.resume': 'Снять с удержания',
    'call.keypad': 'Клавиатура', 'call.hangup': 'Завершить', 'call.verify': 'Запросить код подтверждения', 'call.account': 'Аккаунт клиента', 'call.accountHint': 'Если клиент назвал аккаунт: код проверяется только для него',
    'call.transfer': 'Перевод', 'call.toSecond': 'На вторую линию', 'call.toFirst': 'На первую линию', 'call.consult': 'Консультация с коллегой',
    'call.conference': 'Добавить третьего', 'call.complete': 'Передать звонок', 'call.cancel': 'Вернуть себе', 'call.colleague': 'Коллега',
    'call.consulting': 'Консультация: клиент на удержании', 'call.onHold': 'Клиент на удержании', 'call.verifying': 'Клиент вводит код…',
    'ticket.title': 'Обращение', 'ticket.subject': 'Тема', 'ticket.category': 'Категория', 'ticket.priority': 'Приоритет', 'ticket.status': 'Статус',
    'ticket.note': 'Внутренняя заметка', 'ticket.addNote': 'Добавить заметку', 'ticket.save': 'Сохранить',
    'priority.low': 'низкий', 'priority.normal': 'обычный', 'priority.high': 'высокий', 'priority.critical': 'критический',
    'status.new': 'новое', 'status.open': 'в работе', 'status.pending_customer': 'ждёт клиента', 'status.resolved': 'решено', 'status.closed': 'закрыто',
    'phrases.title': 'Фразы', 'phrase.position': 'специалист поддержки', 'phrase.company': 'pbxdesk', 'phrase.copy': 'Нажмите, чтобы скопировать',
    'phrase.greeting': 'Приветствие', 'phrase.ask_number': 'Номер обращения', 'phrase.hold': 'Ожидание', 'phrase.thanks': 'Благодарность', 'phrase.other': 'Другое',
    'wrap.title': 'Завершение звонка', 'wrap.disposition': 'Итог', 'wrap.note': 'Заметка к обращению', 'wrap.submit': 'Завершить и продолжить',
    'wrap.required': 'Укажите итог или заметку', 'wrap.left': 'осталось',
    'disp.resolved': 'вопрос решён', 'disp.follow_up': 'нужен повторный контакт', 'disp.escalated': 'передано дальше', 'disp.wrong_number': 'ошибочный звонок', 'disp.other': 'другое',
    'keys.title': 'Клавиши', 'keys.help': 'A — ответить, H — удержание, T — перевод, X — завершить',
    'err.generic': 'Не получилось', 'sec': 'с', 'min': 'мин',
    'sup.wallboard': 'Табло', 'sup.calls': 'Звонки сейчас', 'sup.recordings': 'Записи', 'sup.reports': 'Отчёты',
    'wb.waiting': 'Ждут', 'wb.longest': 'Дольше всех', 'wb.callbacks': 'Обратные звонки', 'wb.sl': 'Уровень сервиса', 'wb.abandon': 'Потерянные',
    'wb.aht': 'Ср. время обработки', 'wb.operators': 'Операторы', 'wb.inState': 'в статусе', 'wb.live': 'обновляется сразу',
    'al.title': 'Тревоги', 'al.none': 'Всё в норме', 'al.since': 'с', 'al.node': 'узел', 'al.calls': 'звонков', 'al.ticket': 'обращение',
    'al.kind.longest_wait': 'Долгое ожидание', 'al.kind.service_level': 'Уровень сервиса за 30 минут', 'al.kind.sla_breach': 'Нарушен SLA обращения',
    'al.kind.pause_too_long': 'Слишком долгая пауза', 'al.kind.abandon_rate': 'Много потерянных звонков',
    'al.target.first_response': 'нет первого ответа', 'al.target.resolution': 'не решено в срок',
    'live.caller': 'Клиент', 'live.operator': 'Оператор', 'live.status': 'Состояние', 'live.since': 'С', 'live.listen': 'Слушать',
    'live.whisper': 'Подсказать', 'live.barge': 'Вмешаться', 'live.none': 'Сейчас звонков нет',
    'rec.from': 'С', 'rec.to': 'По', 'rec.line': 'Линия', 'rec.operator': 'Оператор', 'rec.caller': 'Номер', 'rec.ticket': 'Обращение',
    'rec.minSec': 'Длительность от, с', 'rec.verified': 'Только подтверждённые', 'rec.search': 'Найти', 'rec.play': 'Слушать',
    'rec.download': 'Скачать', 'rec.reason': 'Причина скачивания', 'rec.reasonRequired': 'Укажите причину', 'rec.speed': 'Скорость',
    'rec.none': 'Ничего не найдено', 'rec.at': 'Когда', 'rec.duration': 'Длительность', 'any': 'любая',
    'rep.from': 'С', 'rep.to': 'По', 'rep.show': 'Показать', 'rep.csv': 'CSV', 'rep.operators': 'По операторам', 'rep.lines': 'По линиям',
    'rep.handled': 'Принято', 'rep.asa': 'Ср. ответ, с', 'rep.aht': 'Ср. обработка, с', 'rep.missed': 'Пропущено', 'rep.pause': 'Паузы, мин',
    'rep.csat': 'Оценка', 'rep.offered': 'Поступило', 'rep.abandoned': 'Потеряно', 'rep.byHour': 'Звонки по часам', 'rep.byWeekday': 'По дням недели',
    'nav.tickets': 'Обращения', 'tk.view.mine': 'Мои', 'tk.view.unassigned': 'Без исполнителя', 'tk.view.sla': 'Сроки SLA', 'tk.view.waiting': 'Ждут клиента', 'tk.view.search': 'Поиск',
    'tk.sound': 'Звук при новом обращении', 'tk.anyPriority': 'любой', 'tk.searchHint': 'Текст, номер обращения, телефон или аккаунт', 'tk.in.auto': 'Определить само', 'tk.in.text': 'по тексту',
    'tk.in.number': 'номер обращения', 'tk.in.phone': 'телефон', 'tk.in.customer': 'аккаунт или имя клиента', 'tk.customer': 'Клиент', 'tk.sla': 'SLA', 'tk.assignee': 'Исполнитель',
    'tk.updated': 'Изменено', 'tk.prev': '← Назад', 'tk.next': 'Дальше →', 'tk.back': '← К списку обращений', 'tk.line': 'Линия', 'tk.timeline': 'История обращения', 'tk.sync': 'Синхронизация с хелпдеском',
    'tk.forbidden': 'Нет доступа к обращению', 'tk.forbiddenText': 'Это обращение другой линии: открыть можно только обращения своей линии.', 'tk.notFound': 'Обращение не найдено',
    'tk.empty': 'Обращений нет', 'tk.pageOf': '{from}–{to} из {total}', 'tk.left': 'осталось {time}', 'tk.over': 'просрочено на {time}',
    'tk.target.first_response': 'первый ответ', 'tk.target.resolution': 'решение', 'tk.nobody': 'не назначен', 'tk.me': 'я', 'tk.operator': 'оператор',
    'tk.actor.caller': 'клиент', 'tk.actor.system': 'система', 'tk.account': 'Аккаунт', 'tk.phones': 'Телефоны', 'tk.survey': 'Оценка', 'tk.slaOk': 'в срок',
    'tk.sla.nearing': 'срок подходит', 'tk.sla.breached': 'срок нарушен', 'tk.syncState.pending': 'ожидает', 'tk.syncState.synced': 'синхронизировано', 'tk.syncState.failed': 'ошибка',
    'tk.noSync': 'не связано с внешними системами', 'tk.recordingDenied': 'Запись может слушать только принявший звонок оператор или супервизор',
    'tk.saved': 'Сохранено', 'tk.newTicket': 'Новое обращение {number}', 'tk.gone': 'Обращение передано другой линии',
    'tl.created': 'Создано', 'tl.status': 'Статус', 'tl.line': 'Линия', 'tl.priority': 'Приоритет', 'tl.category': 'Категория', 'tl.assignee': 'Исполнитель', 'tl.subject': 'Тема',
    'tl.description': 'Описание', 'tl.customerName': 'Имя клиента', 'tl.note': 'Заметка', 'tl.call': 'Звонок', 'tl.callback-call': 'Обратный звонок', 'tl.voicemail': 'Голосовое сообщение',
    'tl.verification': 'Подтверждение', 'tl.callback': 'Заказан обратный звонок', 'tl.callback-attempt': 'Попытка обратного звонка', 'tl.sla': 'SLA', 'tl.merged': 'Объединено',
    'tl.merged-from': 'Присоединено обращение', 'tl.split': 'Выделено в новое', 'tl.claim-confirmed': 'Звонок привязан', 'tl.ticket-claim': 'Набран номер обращения',
    'tl.sync-conflict': 'Расхождение с хелпдеском', 'tl.account-conflict': 'Другой аккаунт',
    'status.completed': 'завершён', 'status.abandoned': 'клиент не дождался', 'status.failed': 'сбой', 'status.unanswered': 'без ответа', 'status.callback': 'обратный звонок',
  },
  en: {
    'app.title': 'pbxdesk — operator desk',
    'sup.title': 'pbxdesk — supervisor',
    'signin.title': 'Sign in', 'signin.login': 'Login', 'signin.password': 'Password', 'signin.submit': 'Sign in',
    'signin.failed': 'Wrong login or password', 'signin.throttled': 'Too many attempts, try again later',
    'signout': 'Sign out', 'lang': 'Русский', 'nav.desk': 'Operator desk', 'nav.supervisor': 'Supervisor',
    'ivr.menu': 'menu', 'ivr.ticket': 'ticket', 'ivr.verify': 'code', 'ivr.language': 'language', 'ivr.hours': 'hours', 'ivr.callback': 'callback', 'ivr.callback-offer': 'callback offered', 'ivr.route': 'line', 'ivr.overflow': 'overflow', 'ivr.survey': 'survey',
    'phone.registered': 'Phone connected', 'phone.connecting': 'Connecting the phone…', 'phone.offline': 'Phone not connected',
    'state.available': 'Available', 'state.paused': 'Paused', 'state.on_call': 'On a call', 'state.wrap_up': 'Wrap-up', 'state.offline': 'Offline',
    'reason.break': 'break', 'reason.training': 'training', 'reason.other': 'other', 'reason.missed': 'missed a call',
    'pause.with': 'Pause:', 'go.available': 'Ready for calls', 'go.offline': 'Go offline',
    'idle.title': 'Waiting for a call', 'idle.hint': 'When a call comes in, the caller and their ticket appear here.',
    'ring.title': 'Incoming call', 'ring.answer': 'Answer', 'ring.reject': 'Reject',
    'pop.caller': 'Number', 'pop.account': 'Account', 'pop.notVerified': 'not verified', 'pop.verified': 'verified',
    'pop.failed': 'wrong code', 'pop.ivr': 'IVR path', 'pop.language': 'Language', 'pop.waited': 'Waited', 'pop.line': 'Line',
    'pop.claim': 'keyed {number} — not confirmed', 'pop.claimConfirm': 'Checked: attach to {number}', 'pop.claimDone': 'Call attached to ticket {number}',
    'pop.noTicket': 'A new ticket will be opened', 'pop.history': 'Earlier calls', 'pop.notes': 'Notes', 'pop.noHistory': 'none',
    'line.first': 'first line', 'line.second': 'second line',
    'call.title': 'In call', 'call.mute': 'Mute', 'call.unmute': 'Unmute', 'call.hold': 'Hold', 'call.resume': 'Resume',
    'call.keypad': 'Keypad', 'call.hangup': 'Hang up', 'call.verify': 'Ask for verification code', 'call.account': "Caller's account", 'call.accountHint': 'If the caller named their account: the code is checked against it only',
    'call.transfer': 'Transfer', 'call.toSecond': 'To the second line', 'call.toFirst': 'To the first line', 'call.consult': 'Consult a colleague',
    'call.conference': 'Add a third party', 'call.complete': 'Complete transfer', 'call.cancel': 'Take the call back', 'call.colleague': 'Colleague',
    'call.consulting': 'Consulting: the caller is on hold', 'call.onHold': 'The caller is on hold', 'call.verifying': 'The caller is keying the code…',
    'ticket.title': 'Ticket', 'ticket.subject': 'Subject', 'ticket.category': 'Category', 'ticket.priority': 'Priority', 'ticket.status': 'Status',
    'ticket.note': 'Internal note', 'ticket.addNote': 'Add note', 'ticket.save': 'Save',
    'priority.low': 'low', 'priority.normal': 'normal', 'priority.high': 'high', 'priority.critical': 'critical',
    'status.new': 'new', 'status.open': 'open', 'status.pending_customer': 'waiting for customer', 'status.resolved': 'resolved', 'status.closed': 'closed',
    'phrases.title': 'Phrases', 'phrase.position': 'support specialist', 'phrase.company': 'pbxdesk', 'phrase.copy': 'Click to copy',
    'phrase.greeting': 'Greeting', 'phrase.ask_number': 'Ticket number', 'phrase.hold': 'Hold', 'phrase.thanks': 'Thanks', 'phrase.other': 'Other',
    'wrap.title': 'Wrap-up', 'wrap.disposition': 'Outcome', 'wrap.note': 'Note for the ticket', 'wrap.submit': 'Finish and continue',
    'wrap.required': 'Choose an outcome or write a note', 'wrap.left': 'left',
    'disp.resolved': 'resolved', 'disp.follow_up': 'needs follow-up', 'disp.escalated': 'passed on', 'disp.wrong_number': 'wrong number', 'disp.other': 'other',
    'keys.title': 'Keys', 'keys.help': 'A answer, H hold, T transfer, X hang up',
    'err.generic': 'That did not work', 'sec': 's', 'min': 'min',
    'sup.wallboard': 'Wallboard', 'sup.calls': 'Live calls', 'sup.recordings': 'Recordings', 'sup.reports': 'Reports',
    'wb.waiting': 'Waiting', 'wb.longest': 'Longest wait', 'wb.callbacks': 'Callbacks', 'wb.sl': 'Service level', 'wb.abandon': 'Abandoned',
    'wb.aht': 'Avg handle time', 'wb.operators': 'Operators', 'wb.inState': 'in state', 'wb.live': 'live',
    'al.title': 'Alerts', 'al.none': 'All clear', 'al.since': 'since', 'al.node': 'node', 'al.calls': 'calls', 'al.ticket': 'ticket',
    'al.kind.longest_wait': 'Long wait', 'al.kind.service_level': 'Service level, last 30 minutes', 'al.kind.sla_breach': 'Ticket SLA breached',
    'al.kind.pause_too_long': 'Pause too long', 'al.kind.abandon_rate': 'Callers abandoning',
    'al.target.first_response': 'no first response', 'al.target.resolution': 'not resolved in time',
    'live.caller': 'Caller', 'live.operator': 'Operator', 'live.status': 'Status', 'live.since': 'Since', 'live.listen': 'Listen',
    'live.whisper': 'Whisper', 'live.barge': 'Barge', 'live.none': 'No calls right now',
    'rec.from': 'From', 'rec.to': 'To', 'rec.line': 'Line', 'rec.operator': 'Operator', 'rec.caller': 'Number', 'rec.ticket': 'Ticket',
    'rec.minSec': 'Min duration, s', 'rec.verified': 'Verified only', 'rec.search': 'Search', 'rec.play': 'Play',
    'rec.download': 'Download', 'rec.reason': 'Reason for download', 'rec.reasonRequired': 'Give a reason', 'rec.speed': 'Speed',
    'rec.none': 'Nothing found', 'rec.at': 'When', 'rec.duration': 'Duration', 'any': 'any',
    'rep.from': 'From', 'rep.to': 'To', 'rep.show': 'Show', 'rep.csv': 'CSV', 'rep.operators': 'Per operator', 'rep.lines': 'Per line',
    'rep.handled': 'Handled', 'rep.asa': 'Avg answer, s', 'rep.aht': 'Avg handle, s', 'rep.missed': 'Missed', 'rep.pause': 'Pauses, min',
    'rep.csat': 'Score', 'rep.offered': 'Offered', 'rep.abandoned': 'Abandoned', 'rep.byHour': 'Calls by hour', 'rep.byWeekday': 'By weekday',
    'nav.tickets': 'Tickets', 'tk.view.mine': 'Mine', 'tk.view.unassigned': 'Unassigned', 'tk.view.sla': 'SLA', 'tk.view.waiting': 'Waiting for customer', 'tk.view.search': 'Search',
    'tk.sound': 'Sound on a new ticket', 'tk.anyPriority': 'any', 'tk.searchHint': 'Text, ticket number, phone or account', 'tk.in.auto': 'Guess', 'tk.in.text': 'full text',
    'tk.in.number': 'ticket number', 'tk.in.phone': 'phone', 'tk.in.customer': 'account or customer name', 'tk.customer': 'Customer', 'tk.sla': 'SLA', 'tk.assignee': 'Assignee',
    'tk.updated': 'Updated', 'tk.prev': '← Back', 'tk.next': 'Next →', 'tk.back': '← Back to the tickets', 'tk.line': 'Line', 'tk.timeline': 'Timeline', 'tk.sync': 'Helpdesk sync',
    'tk.forbidden': 'Not your line’s ticket', 'tk.forbiddenText': 'This ticket belongs to another line: you can open your own line’s tickets only.', 'tk.notFound': 'No such ticket',
    'tk.empty': 'No tickets', 'tk.pageOf': '{from}–{to} of {total}', 'tk.left': '{time} left', 'tk.over': '{time} overdue',
    'tk.target.first_response': 'first response', 'tk.target.resolution': 'resolution', 'tk.nobody': 'nobody', 'tk.me': 'me', 'tk.operator': 'operator',
    'tk.actor.caller': 'caller', 'tk.actor.system': 'system', 'tk.account': 'Account', 'tk.phones': 'Phones', 'tk.survey': 'Survey', 'tk.slaOk': 'on time',
    'tk.sla.nearing': 'nearing', 'tk.sla.breached': 'breached', 'tk.syncState.pending': 'pending', 'tk.syncState.synced': 'synced', 'tk.syncState.failed': 'failing',
    'tk.noSync': 'not linked to other systems', 'tk.recordingDenied': 'Only the operator who took the call or a supervisor may hear this recording',
    'tk.saved': 'Saved', 'tk.newTicket': 'New ticket {number}', 'tk.gone': 'The ticket went to another line',
    'tl.created': 'Created', 'tl.status': 'Status', 'tl.line': 'Line', 'tl.priority': 'Priority', 'tl.category': 'Category', 'tl.assignee': 'Assignee', 'tl.subject': 'Subject',
    'tl.description': 'Description', 'tl.customerName': 'Customer name', 'tl.note': 'Note', 'tl.call': 'Call', 'tl.callback-call': 'Callback call', 'tl.voicemail': 'Voicemail',
    'tl.verification': 'Verification', 'tl.callback': 'Callback booked', 'tl.callback-attempt': 'Callback attempt', 'tl.sla': 'SLA', 'tl.merged': 'Merged',
    'tl.merged-from': 'Ticket merged in', 'tl.split': 'Split off', 'tl.claim-confirmed': 'Call attached', 'tl.ticket-claim': 'Ticket number keyed',
    'tl.sync-conflict': 'Helpdesk disagrees', 'tl.account-conflict': 'Another account',
    'status.completed': 'completed', 'status.abandoned': 'caller hung up', 'status.failed': 'failed', 'status.unanswered': 'unanswered', 'status.callback': 'callback',
  },
};

let lang = localStorage.getItem('pbxdesk.lang') ?? (navigator.language.startsWith('ru') ? 'ru' : 'en');

export function t(key, vars = {}) {
  const s = CATALOGUE[lang][key] ?? CATALOGUE.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

export function language() {
  return lang;
}

export function setLanguage(l) {
  lang = l === 'ru' ? 'ru' : 'en';
  localStorage.setItem('pbxdesk.lang', lang);
  applyI18n(document);
}

/** Fills every [data-i18n] element (and [data-i18n-placeholder]) from the catalogue. */
export function applyI18n(root) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

export const CATALOGUE_KEYS = { ru: Object.keys(CATALOGUE.ru), en: Object.keys(CATALOGUE.en) };
