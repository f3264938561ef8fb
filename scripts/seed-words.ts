/** Word banks for the seeder: names, departments and work chatter. Plain data, no logic. */

export const FIRST_NAMES = [
  'alex', 'sam', 'jordan', 'taylor', 'morgan', 'casey', 'riley', 'jamie', 'avery', 'quinn', 'maria', 'anna', 'lena',
  'sofia', 'emma', 'olivia', 'mia', 'hannah', 'laura', 'sarah', 'julia', 'nina', 'eva', 'clara', 'lucy', 'grace',
  'ella', 'ava', 'chloe', 'zoe', 'ruby', 'ivy', 'iris', 'nora', 'rosa', 'alice', 'helen', 'diana', 'paula', 'irene',
  'priya', 'ananya', 'aisha', 'fatima', 'leila', 'yasmin', 'mei', 'yuki', 'hana', 'sakura', 'ji_woo', 'min_jun',
  'wei', 'li', 'chen', 'hiroshi', 'kenji', 'takeshi', 'raj', 'arjun', 'vikram', 'rahul', 'amit', 'omar', 'ali',
  'hassan', 'yusuf', 'ahmed', 'karim', 'tariq', 'david', 'daniel', 'michael', 'james', 'john', 'robert', 'thomas',
  'william', 'richard', 'joseph', 'charles', 'peter', 'paul', 'mark', 'steven', 'andrew', 'kevin', 'brian', 'george',
  'edward', 'ryan', 'jacob', 'gary', 'eric', 'jonathan', 'stephen', 'larry', 'justin', 'scott', 'brandon', 'frank',
  'benjamin', 'gregory', 'samuel', 'patrick', 'alexander', 'jack', 'dennis', 'tyler', 'aaron', 'henry', 'adam',
  'nathan', 'zach', 'kyle', 'noah', 'ethan', 'lucas', 'mateo', 'diego', 'carlos', 'javier', 'pablo', 'luis',
  'miguel', 'marco', 'luca', 'giulia', 'francesca', 'pierre', 'louis', 'camille', 'manon', 'lars', 'erik', 'ingrid',
  'astrid', 'sven', 'olga', 'ivan', 'dmitri', 'katya', 'pavel', 'tomasz', 'kasia', 'piotr', 'agnieszka', 'kwame',
  'amara', 'chidi', 'ngozi', 'tunde', 'zainab', 'kofi', 'ama', 'thabo', 'naledi',
];

/** Display first names with diacritics; the handle uses the ASCII folding. */
export const ACCENTED_FIRST = ['José', 'Zoë', 'Søren', 'Łukasz', 'Siobhán', 'Chloé', 'Björn', 'Renée', 'Noémie', 'Andrés', 'Jürgen', 'Ségolène', 'Núria', 'Ines', 'Dóra'];

export const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez',
  'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson',
  'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright',
  'scott', 'torres', 'nguyen', 'hill', 'flores', 'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell',
  'mitchell', 'carter', 'roberts', 'gomez', 'phillips', 'evans', 'turner', 'diaz', 'parker', 'cruz', 'edwards',
  'collins', 'reyes', 'stewart', 'morris', 'morales', 'murphy', 'cook', 'rogers', 'gutierrez', 'ortiz', 'morgan',
  'cooper', 'peterson', 'bailey', 'reed', 'kelly', 'howard', 'ramos', 'kim', 'cox', 'ward', 'richardson', 'watson',
  'brooks', 'chavez', 'wood', 'james', 'bennett', 'gray', 'mendoza', 'ruiz', 'hughes', 'price', 'alvarez', 'castillo',
  'sanders', 'patel', 'myers', 'long', 'ross', 'foster', 'jimenez', 'powell', 'jenkins', 'perry', 'russell',
  'sullivan', 'bell', 'coleman', 'butler', 'henderson', 'barnes', 'gonzales', 'fisher', 'vasquez', 'simmons',
  'romero', 'jordan', 'patterson', 'alexander', 'hamilton', 'graham', 'reynolds', 'griffin', 'wallace', 'moreno',
  'west', 'cole', 'hayes', 'bryant', 'herrera', 'gibson', 'ellis', 'tran', 'medina', 'aguilar', 'stevens', 'murray',
  'ford', 'castro', 'marshall', 'owens', 'harrison', 'fernandez', 'mcdonald', 'woods', 'washington', 'kennedy',
  'wells', 'vargas', 'henry', 'chen', 'freeman', 'webb', 'tucker', 'guzman', 'burns', 'crawford', 'olson', 'simpson',
  'porter', 'hunter', 'gordon', 'mendez', 'silva', 'shaw', 'snyder', 'mason', 'dixon', 'munoz', 'hunt', 'hicks',
  'holmes', 'palmer', 'wagner', 'black', 'robertson', 'boyd', 'rose', 'stone', 'salazar', 'fox', 'warren', 'mills',
  'meyer', 'rice', 'schmidt', 'garza', 'daniels', 'ferguson', 'nichols', 'stephens', 'soto', 'weaver', 'ryan',
  'gardner', 'payne', 'grant', 'dunn', 'kelley', 'spencer', 'hawkins', 'arnold', 'pierce', 'vazquez', 'hansen',
  'peters', 'santos', 'hart', 'bradley', 'knight', 'elliott', 'cunningham', 'duncan', 'armstrong', 'hudson', 'carroll',
  'lane', 'riley', 'andrews', 'alvarado', 'ray', 'delgado', 'berry', 'perkins', 'hoffman', 'johnston', 'matthews',
  'pena', 'richards', 'contreras', 'willis', 'carpenter', 'lawrence', 'sandoval', 'okafor', 'mensah', 'sato',
  'suzuki', 'tanaka', 'watanabe', 'yamamoto', 'nakamura', 'kobayashi', 'wang', 'zhang', 'liu', 'yang', 'huang',
  'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'park', 'choi', 'jung', 'kang', 'cho', 'yoon', 'jang', 'lim', 'shah',
  'singh', 'kumar', 'sharma', 'gupta', 'reddy', 'iyer', 'nair', 'khan', 'hussain', 'rahman', 'ali', 'haddad',
  'nasser', 'cohen', 'levi', 'friedman', 'muller', 'schneider', 'fischer', 'weber', 'becker', 'schulz', 'koch',
  'richter', 'klein', 'wolf', 'rossi', 'russo', 'ferrari', 'esposito', 'bianchi', 'romano', 'colombo', 'ricci',
  'dubois', 'durand', 'leroy', 'moreau', 'laurent', 'lefebvre', 'girard', 'andersson', 'johansson', 'karlsson',
  'nilsson', 'eriksson', 'larsen', 'nielsen', 'jensen', 'novak', 'kowalski', 'nowak', 'ivanov', 'petrov', 'popescu',
];

/** Some colleagues whose display name is not in Latin script: [display name, handle stem]. */
export const NON_LATIN_NAMES: [string, string][] = [
  ['王伟', 'wang_wei'], ['李娜', 'li_na'], ['张敏', 'zhang_min'], ['陈静', 'chen_jing'], ['佐藤 健', 'sato_ken'],
  ['鈴木 花子', 'suzuki_hanako'], ['김민준', 'kim_minjun'], ['이서연', 'lee_seoyeon'], ['Дмитрий Иванов', 'dmitri_ivanov'],
  ['Ольга Петрова', 'olga_petrova'], ['Νίκος Παπαδόπουλος', 'nikos_papadopoulos'], ['محمد علي', 'mohamed_ali'],
  ['प्रिया शर्मा', 'priya_sharma'],
];

/** Departments with relative headcount weights and their titles. */
export const DEPARTMENTS: { name: string; weight: number; titles: string[] }[] = [
  { name: 'Engineering', weight: 30, titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager', 'Principal Engineer', 'SRE', 'QA Engineer'] },
  { name: 'Product', weight: 6, titles: ['Product Manager', 'Senior Product Manager', 'Group PM', 'Product Analyst'] },
  { name: 'Design', weight: 4, titles: ['Product Designer', 'UX Researcher', 'Design Lead', 'Content Designer'] },
  { name: 'Sales', weight: 12, titles: ['Account Executive', 'Sales Engineer', 'Sales Manager', 'SDR'] },
  { name: 'Marketing', weight: 6, titles: ['Marketing Manager', 'Content Strategist', 'Growth Lead', 'Brand Designer'] },
  { name: 'Customer Support', weight: 10, titles: ['Support Engineer', 'Support Lead', 'Customer Success Manager'] },
  { name: 'Finance', weight: 4, titles: ['Financial Analyst', 'Controller', 'Accountant', 'FP&A Lead'] },
  { name: 'People', weight: 3, titles: ['Recruiter', 'People Partner', 'Talent Lead', 'L&D Specialist'] },
  { name: 'Legal', weight: 2, titles: ['Counsel', 'Paralegal', 'Privacy Officer'] },
  { name: 'Operations', weight: 6, titles: ['Operations Manager', 'Program Manager', 'Facilities Lead'] },
  { name: 'Security', weight: 3, titles: ['Security Engineer', 'Security Analyst', 'CISO Office'] },
  { name: 'Data', weight: 6, titles: ['Data Engineer', 'Data Scientist', 'Analytics Engineer', 'ML Engineer'] },
  { name: 'IT', weight: 4, titles: ['IT Support', 'Systems Administrator', 'IT Manager'] },
  { name: 'Research', weight: 4, titles: ['Research Scientist', 'Research Engineer', 'Research Lead'] },
];

export const BIOS = [
  'Coffee first, then code.', 'Opinions are my own, mostly.', 'Ask me about our on-call rotation.', 'Remote from the mountains.',
  'Building things that scale.', 'Writes docs nobody reads.', 'Dog person. Spreadsheet person.', 'Happy to pair, just ping me.',
  'Here for the memes and the postmortems.', 'Previously at a startup you have never heard of.', 'Runner, reader, reviewer of PRs.',
  'Ex-support, forever empathetic.', 'Making the quarter happen.', 'Part-time plant whisperer.', 'I break things so you do not have to.',
];

export const BOT_KINDS: { stem: string; name: string; department: string }[] = [
  { stem: 'deploy', name: 'Deploy Bot', department: 'Engineering' },
  { stem: 'ci', name: 'CI Status', department: 'Engineering' },
  { stem: 'oncall', name: 'On-call Pager', department: 'Engineering' },
  { stem: 'standup', name: 'Standup Reminder', department: 'Operations' },
  { stem: 'lunch', name: 'Lunch Menu', department: 'Operations' },
  { stem: 'release', name: 'Release Notes', department: 'Product' },
  { stem: 'security', name: 'Security Advisories', department: 'Security' },
  { stem: 'status', name: 'Status Page', department: 'IT' },
  { stem: 'metrics', name: 'Daily Metrics', department: 'Data' },
  { stem: 'welcome', name: 'Welcome Wagon', department: 'People' },
];

export const PROJECTS = [
  'atlas', 'orion', 'hermes', 'phoenix', 'nova', 'billing v2', 'the search revamp', 'the mobile app', 'onboarding',
  'the data pipeline', 'checkout', 'the design system', 'the new dashboard', 'the API gateway', 'identity',
  'the partner portal', 'notifications', 'the migration', 'reporting', 'the pricing page',
];

export const SYSTEMS = [
  'staging', 'the CI', 'the build', 'prod', 'the VPN', 'the wiki', 'kubernetes', 'the release train', 'the monorepo',
  'the on-call dashboard', 'the test suite', 'the load balancer', 'the queue', 'the cache', 'the analytics warehouse',
];

export const PROBLEMS = ['flaky again', 'slow today', 'down for me', 'acting weird', 'throwing 502s', 'out of disk', 'stuck on step 3', 'timing out'];

export const PLACES = ['in the 4th floor kitchen', 'in room Everest', 'on the rooftop', 'in the big meeting room', 'at the cafe downstairs', 'on Zoom', 'in the usual channel'];

export const FOODS = ['tacos', 'ramen', 'pizza', 'dumplings', 'falafel', 'curry', 'sushi', 'bagels', 'cake'];

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

/** Hashtags, most popular first (the seeder picks them with a Zipf bias). */
export const TAGS = [
  'release', 'oncall', 'incident', 'hiring', 'standup', 'design', 'security', 'perf', 'frontend', 'backend', 'data',
  'ml', 'devex', 'docs', 'lunch', 'offsite', 'allhands', 'planning', 'okr', 'retro', 'kudos', 'til', 'rfc', 'infra',
  'mobile', 'a11y', 'ux', 'sales', 'marketing', 'support', 'finance', 'legal', 'people', 'wellbeing', 'learning',
  'bookclub', 'running', 'coffee', 'music', 'pets', 'travel', 'remote', 'office', 'hackathon', 'demo', 'qbr',
  'customers', 'launch', 'postmortem', 'testing', 'rust', 'typescript', 'python', 'golang', 'sql', 'observability',
  'cost', 'compliance', 'privacy', 'migration',
];

export const GREETINGS = ['Morning all!', 'Happy Friday!', 'Quick one:', 'PSA:', 'Heads up:', 'FYI', 'Reminder:', 'Hot take:', 'Small win:', 'Question:'];

export const REPLIES = [
  'Agreed, let us do it.', 'Thanks, this is super helpful!', 'Can you share the doc?', 'Same here, looking into it.',
  'Nice work 🎉', 'I think this was fixed yesterday?', '+1, would love that.', 'Ping me after lunch and we can pair on it.',
  'Not sure, maybe ask in the platform channel?', 'Ha, classic.', 'Count me in.', 'Which environment?',
  'Let me check with the team and get back to you.', 'Great point, added it to the agenda.', 'Thank you! 🙏',
  'Did you try turning it off and on again?', 'Seeing the same thing on my side.', 'Congrats!!', 'Love this.',
  'I can take a look tomorrow morning.',
];
