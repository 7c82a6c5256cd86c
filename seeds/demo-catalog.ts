/** What the demo stores sell. Prices are whole rupiah; options multiply into variants. */

export interface DemoCategory {
  slug: string;
  nameId: string;
  nameEn: string;
  children?: DemoCategory[];
}

export const CATEGORIES: DemoCategory[] = [
  {
    slug: 'fesyen', nameId: 'Fesyen', nameEn: 'Fashion',
    children: [
      { slug: 'batik', nameId: 'Batik', nameEn: 'Batik' },
      { slug: 'kemeja', nameId: 'Kemeja', nameEn: 'Shirts' },
      { slug: 'sepatu', nameId: 'Sepatu', nameEn: 'Shoes' },
      { slug: 'tas', nameId: 'Tas', nameEn: 'Bags' },
    ],
  },
  {
    slug: 'makanan-minuman', nameId: 'Makanan & Minuman', nameEn: 'Food & Drinks',
    children: [
      { slug: 'kopi', nameId: 'Kopi', nameEn: 'Coffee' },
      { slug: 'teh', nameId: 'Teh', nameEn: 'Tea' },
      { slug: 'camilan', nameId: 'Camilan', nameEn: 'Snacks' },
    ],
  },
  {
    slug: 'kerajinan', nameId: 'Kerajinan Tangan', nameEn: 'Handicrafts',
    children: [
      { slug: 'anyaman', nameId: 'Anyaman', nameEn: 'Woven goods' },
      { slug: 'keramik', nameId: 'Keramik', nameEn: 'Ceramics' },
      { slug: 'ukiran-kayu', nameId: 'Ukiran Kayu', nameEn: 'Wood carving' },
    ],
  },
  {
    slug: 'rumah-tangga', nameId: 'Rumah Tangga', nameEn: 'Home & Living',
    children: [
      { slug: 'dapur', nameId: 'Dapur', nameEn: 'Kitchen' },
      { slug: 'dekorasi', nameId: 'Dekorasi', nameEn: 'Decoration' },
    ],
  },
  {
    slug: 'kecantikan', nameId: 'Kecantikan', nameEn: 'Beauty',
    children: [
      { slug: 'perawatan-kulit', nameId: 'Perawatan Kulit', nameEn: 'Skin care' },
      { slug: 'sabun-alami', nameId: 'Sabun Alami', nameEn: 'Natural soap' },
    ],
  },
  {
    slug: 'elektronik', nameId: 'Elektronik', nameEn: 'Electronics',
    children: [{ slug: 'aksesori-gawai', nameId: 'Aksesori Gawai', nameEn: 'Gadget accessories' }],
  },
];

export interface DemoStore {
  key: 'batik' | 'kopi' | 'kriya';
  owner: { email: string; name: string };
  name: string;
  slug: string;
  /** Region codes (idn-area-data) and the city's name. */
  cityCode: string;
  location: string;
  description: string;
  skuPrefix: string;
}

export const STORES: DemoStore[] = [
  {
    key: 'batik',
    owner: { email: 'batik@pasar.test', name: 'Sekar Ayu Lestari' },
    name: 'Batik Sekar Jagad',
    slug: 'batik-sekar-jagad',
    cityCode: '34.71',
    location: 'Kota Yogyakarta',
    description: 'Batik tulis dan cap dari perajin Imogiri, dijahit sendiri di Yogyakarta.',
    skuPrefix: 'BSJ',
  },
  {
    key: 'kopi',
    owner: { email: 'kopi@pasar.test', name: 'Asep Sunandar' },
    name: 'Kopi Priangan Asep',
    slug: 'kopi-priangan-asep',
    cityCode: '32.73',
    location: 'Kota Bandung',
    description: 'Kopi arabika dari petani Gunung Puntang dan Malabar, disangrai setiap minggu.',
    skuPrefix: 'KPA',
  },
  {
    key: 'kriya',
    owner: { email: 'kriya@pasar.test', name: 'Wahyu Hidayat' },
    name: 'Kriya Rotan Nusantara',
    slug: 'kriya-rotan-nusantara',
    cityCode: '35.78',
    location: 'Kota Surabaya',
    description: 'Anyaman rotan, keramik dan peralatan rumah buatan tangan perajin Jawa Timur.',
    skuPrefix: 'KRN',
  },
];

export const SHOPPERS = [
  {
    email: 'budi@pasar.test', name: 'Budi Santoso', locale: 'id' as const,
    address: { label: 'Rumah', recipient: 'Budi Santoso', phone: '081234567890', street: 'Jl. Malioboro No. 52', cityCode: '34.71', postalCode: '55271' },
  },
  {
    email: 'ani@pasar.test', name: 'Ani Wijaya', locale: 'en' as const,
    address: { label: 'Home', recipient: 'Ani Wijaya', phone: '081311112222', street: 'Jl. Kemang Raya No. 8', cityCode: '31.74', postalCode: '12730' },
  },
];

export interface DemoProduct {
  store: DemoStore['key'];
  category: string;
  title: string;
  price: number;
  description: string;
  specifications: Array<{ label: string; value: string }>;
  /** Each option's values; the variants are every combination. */
  options?: Record<string, string[]>;
  /** Added to the price for a value of the first option, by position (e.g. bigger sizes cost more). */
  step?: number;
  /** How many photos to make. */
  images?: number;
}

const SIZES = ['S', 'M', 'L', 'XL'];

export const PRODUCTS: DemoProduct[] = [
  // Batik Sekar Jagad, Yogyakarta
  { store: 'batik', category: 'batik', title: 'Kemeja Batik Parang Lengan Panjang', price: 185000, step: 10000, options: { Ukuran: SIZES }, images: 2, description: 'Batik cap motif Parang Rusak, katun primisima, lengan panjang dengan furing.', specifications: [{ label: 'Bahan', value: 'Katun primisima' }, { label: 'Teknik', value: 'Batik cap' }] },
  { store: 'batik', category: 'batik', title: 'Kemeja Batik Kawung Lengan Pendek', price: 145000, step: 10000, options: { Ukuran: SIZES }, description: 'Motif Kawung klasik warna sogan, nyaman untuk ke kantor.', specifications: [{ label: 'Bahan', value: 'Katun' }, { label: 'Teknik', value: 'Batik cap' }] },
  { store: 'batik', category: 'batik', title: 'Kain Batik Tulis Truntum 2 Meter', price: 450000, options: { Warna: ['Sogan', 'Indigo'] }, images: 2, description: 'Batik tulis tangan motif Truntum, dikerjakan sekitar tiga minggu.', specifications: [{ label: 'Ukuran', value: '200 x 110 cm' }, { label: 'Teknik', value: 'Batik tulis' }] },
  { store: 'batik', category: 'batik', title: 'Daster Batik Mega Mendung', price: 95000, options: { Ukuran: ['All size', 'Jumbo'] }, step: 15000, description: 'Daster rayon adem motif Mega Mendung.', specifications: [{ label: 'Bahan', value: 'Rayon' }] },
  { store: 'batik', category: 'kemeja', title: 'Kemeja Lurik Lengan Panjang', price: 165000, step: 10000, options: { Ukuran: SIZES }, description: 'Kain lurik tenun ATBM dari Klaten.', specifications: [{ label: 'Bahan', value: 'Lurik ATBM' }] },
  { store: 'batik', category: 'kemeja', title: 'Kemeja Linen Kerah Mandarin', price: 175000, step: 10000, options: { Ukuran: SIZES, Warna: ['Putih', 'Krem'] }, description: 'Linen ringan dengan kerah mandarin.', specifications: [{ label: 'Bahan', value: 'Linen' }] },
  { store: 'batik', category: 'tas', title: 'Tas Tote Batik Kawung', price: 85000, options: { Warna: ['Coklat', 'Biru'] }, description: 'Tote bag kanvas dengan aplikasi batik Kawung.', specifications: [{ label: 'Ukuran', value: '38 x 40 cm' }] },
  { store: 'batik', category: 'tas', title: 'Dompet Batik Lipat', price: 45000, description: 'Dompet lipat kecil dengan resleting.', specifications: [{ label: 'Ukuran', value: '11 x 9 cm' }] },
  { store: 'batik', category: 'sepatu', title: 'Sepatu Kanvas Lokal Motif Batik', price: 210000, step: 0, options: { Ukuran: ['39', '40', '41', '42', '43'] }, images: 2, description: 'Sepatu kanvas buatan Bandung dengan aksen batik.', specifications: [{ label: 'Sol', value: 'Karet vulkanisir' }] },
  { store: 'batik', category: 'batik', title: 'Selendang Batik Sutra', price: 325000, options: { Warna: ['Merah', 'Hijau', 'Ungu'] }, description: 'Selendang sutra ATBM dengan batik tulis.', specifications: [{ label: 'Bahan', value: 'Sutra' }] },
  { store: 'batik', category: 'kemeja', title: 'Blus Batik Wanita Lengan Tiga Perempat', price: 155000, step: 5000, options: { Ukuran: SIZES }, description: 'Blus katun dengan potongan A-line.', specifications: [{ label: 'Bahan', value: 'Katun' }] },
  { store: 'batik', category: 'sepatu', title: 'Sandal Jepit Batik', price: 35000, options: { Ukuran: ['38', '40', '42'] }, description: 'Sandal jepit empuk dengan tali batik.', specifications: [{ label: 'Bahan', value: 'Karet' }] },
  { store: 'batik', category: 'tas', title: 'Pouch Kosmetik Batik', price: 40000, description: 'Pouch serbaguna dengan lapisan tahan air.', specifications: [{ label: 'Ukuran', value: '20 x 12 cm' }] },

  // Kopi Priangan Asep, Bandung
  { store: 'kopi', category: 'kopi', title: 'Kopi Arabika Gayo 250g', price: 95000, options: { Gilingan: ['Biji', 'Halus', 'Sedang'] }, images: 2, description: 'Arabika Gayo sangrai medium, catatan rasa cokelat dan rempah.', specifications: [{ label: 'Berat', value: '250 g' }, { label: 'Proses', value: 'Semi-washed' }] },
  { store: 'kopi', category: 'kopi', title: 'Kopi Arabika Puntang 200g', price: 110000, options: { Gilingan: ['Biji', 'Halus'] }, description: 'Juara kopi Jawa Barat, rasa buah dan madu.', specifications: [{ label: 'Berat', value: '200 g' }, { label: 'Proses', value: 'Honey' }] },
  { store: 'kopi', category: 'kopi', title: 'Kopi Malabar Natural 500g', price: 160000, options: { Gilingan: ['Biji', 'Sedang'] }, description: 'Proses natural, manis seperti nangka.', specifications: [{ label: 'Berat', value: '500 g' }] },
  { store: 'kopi', category: 'kopi', title: 'Kopi Robusta Temanggung 1kg', price: 140000, options: { Gilingan: ['Biji', 'Halus'] }, description: 'Robusta tebal untuk kopi susu.', specifications: [{ label: 'Berat', value: '1 kg' }] },
  { store: 'kopi', category: 'kopi', title: 'Kopi Tubruk Bubuk 100g', price: 25000, description: 'Bubuk halus untuk kopi tubruk.', specifications: [{ label: 'Berat', value: '100 g' }] },
  { store: 'kopi', category: 'kopi', title: 'Cold Brew Arabika Botol 250ml', price: 30000, options: { Isi: ['1 botol', '6 botol'] }, step: 140000, description: 'Diseduh dingin 18 jam, tanpa gula.', specifications: [{ label: 'Isi', value: '250 ml' }] },
  { store: 'kopi', category: 'teh', title: 'Teh Hijau Kertamanah 100g', price: 45000, description: 'Teh hijau daun utuh dari Pangalengan.', specifications: [{ label: 'Berat', value: '100 g' }] },
  { store: 'kopi', category: 'teh', title: 'Teh Hitam Melati 200g', price: 38000, description: 'Teh tubruk wangi melati.', specifications: [{ label: 'Berat', value: '200 g' }] },
  { store: 'kopi', category: 'camilan', title: 'Keripik Tempe Sagu 250g', price: 22000, options: { Rasa: ['Original', 'Pedas'] }, description: 'Keripik tempe renyah khas Bandung.', specifications: [{ label: 'Berat', value: '250 g' }] },
  { store: 'kopi', category: 'camilan', title: 'Kue Kering Kopi Gula Aren', price: 55000, description: 'Kue kering mentega dengan bubuk kopi dan gula aren.', specifications: [{ label: 'Berat', value: '300 g' }] },
  { store: 'kopi', category: 'dapur', title: 'V60 Dripper Keramik', price: 120000, options: { Warna: ['Putih', 'Hitam'] }, description: 'Dripper keramik untuk seduh manual.', specifications: [{ label: 'Ukuran', value: '02' }] },
  { store: 'kopi', category: 'dapur', title: 'Grinder Kopi Manual', price: 275000, images: 2, description: 'Burr keramik, gilingan bisa diatur.', specifications: [{ label: 'Kapasitas', value: '30 g' }] },
  { store: 'kopi', category: 'aksesori-gawai', title: 'Timbangan Kopi Digital dengan Timer', price: 150000, description: 'Akurasi 0,1 g, isi ulang lewat USB-C.', specifications: [{ label: 'Kapasitas', value: '3 kg' }] },
  { store: 'kopi', category: 'teh', title: 'Teh Rosela Kering 50g', price: 28000, description: 'Kelopak rosela kering, asam segar.', specifications: [{ label: 'Berat', value: '50 g' }] },

  // Kriya Rotan Nusantara, Surabaya
  { store: 'kriya', category: 'anyaman', title: 'Keranjang Rotan Bulat', price: 120000, options: { Ukuran: ['Kecil', 'Sedang', 'Besar'] }, step: 40000, images: 2, description: 'Keranjang rotan asli untuk pakaian atau mainan.', specifications: [{ label: 'Bahan', value: 'Rotan' }] },
  { store: 'kriya', category: 'anyaman', title: 'Tas Anyaman Pandan', price: 135000, options: { Warna: ['Natural', 'Hitam'] }, description: 'Tas jinjing anyaman pandan dari Tasikmalaya.', specifications: [{ label: 'Bahan', value: 'Pandan' }] },
  { store: 'kriya', category: 'anyaman', title: 'Tatakan Piring Eceng Gondok (Set 6)', price: 90000, description: 'Enam tatakan piring anyaman eceng gondok.', specifications: [{ label: 'Diameter', value: '35 cm' }] },
  { store: 'kriya', category: 'keramik', title: 'Cangkir Keramik Glasir Biru', price: 65000, options: { Isi: ['1 pcs', 'Set 4'] }, step: 180000, description: 'Cangkir keramik buatan tangan dari Dinoyo.', specifications: [{ label: 'Volume', value: '200 ml' }] },
  { store: 'kriya', category: 'keramik', title: 'Vas Bunga Gerabah Kasongan', price: 85000, options: { Ukuran: ['Sedang', 'Besar'] }, step: 50000, description: 'Gerabah terakota dari Kasongan.', specifications: [{ label: 'Tinggi', value: '30 cm' }] },
  { store: 'kriya', category: 'ukiran-kayu', title: 'Ukiran Kayu Jati Motif Jepara', price: 350000, images: 2, description: 'Panel dinding ukiran jati motif bunga.', specifications: [{ label: 'Ukuran', value: '60 x 40 cm' }] },
  { store: 'kriya', category: 'ukiran-kayu', title: 'Talenan Kayu Sonokeling', price: 110000, options: { Ukuran: ['Kecil', 'Besar'] }, step: 45000, description: 'Talenan kayu sonokeling padat, tahan lama.', specifications: [{ label: 'Bahan', value: 'Sonokeling' }] },
  { store: 'kriya', category: 'dekorasi', title: 'Lampu Gantung Rotan', price: 245000, description: 'Kap lampu gantung anyaman rotan.', specifications: [{ label: 'Diameter', value: '40 cm' }] },
  { store: 'kriya', category: 'dekorasi', title: 'Cermin Bingkai Rotan Matahari', price: 195000, description: 'Cermin dinding dengan bingkai rotan berbentuk matahari.', specifications: [{ label: 'Diameter', value: '60 cm' }] },
  { store: 'kriya', category: 'dapur', title: 'Cobek Batu Merapi', price: 75000, options: { Ukuran: ['18 cm', '22 cm'] }, step: 25000, description: 'Cobek dan ulekan batu andesit Merapi.', specifications: [{ label: 'Bahan', value: 'Batu andesit' }] },
  { store: 'kriya', category: 'sabun-alami', title: 'Sabun Alami Sereh Wangi', price: 25000, options: { Isi: ['1 pcs', '3 pcs'] }, step: 45000, description: 'Sabun cold process dengan minyak sereh wangi.', specifications: [{ label: 'Berat', value: '100 g' }] },
  { store: 'kriya', category: 'perawatan-kulit', title: 'Lulur Tradisional Kunyit', price: 48000, description: 'Lulur bubuk kunyit dan beras khas keraton.', specifications: [{ label: 'Berat', value: '150 g' }] },
  { store: 'kriya', category: 'perawatan-kulit', title: 'Minyak Kemiri Rambut 100ml', price: 42000, description: 'Minyak kemiri murni untuk rambut.', specifications: [{ label: 'Isi', value: '100 ml' }] },
  { store: 'kriya', category: 'aksesori-gawai', title: 'Dudukan Ponsel Kayu Jati', price: 55000, description: 'Dudukan ponsel dari sisa kayu jati.', specifications: [{ label: 'Bahan', value: 'Jati' }] },
];
