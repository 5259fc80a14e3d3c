package io.wirestream.analysis;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.FilteringTokenFilter;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.bg.BulgarianAnalyzer;
import org.apache.lucene.analysis.bn.BengaliAnalyzer;
import org.apache.lucene.analysis.br.BrazilianAnalyzer;
import org.apache.lucene.analysis.ca.CatalanAnalyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.ckb.SoraniAnalyzer;
import org.apache.lucene.analysis.cz.CzechAnalyzer;
import org.apache.lucene.analysis.da.DanishAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.el.GreekAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.et.EstonianAnalyzer;
import org.apache.lucene.analysis.eu.BasqueAnalyzer;
import org.apache.lucene.analysis.fa.PersianAnalyzer;
import org.apache.lucene.analysis.fi.FinnishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ga.IrishAnalyzer;
import org.apache.lucene.analysis.gl.GalicianAnalyzer;
import org.apache.lucene.analysis.hi.HindiAnalyzer;
import org.apache.lucene.analysis.hu.HungarianAnalyzer;
import org.apache.lucene.analysis.hy.ArmenianAnalyzer;
import org.apache.lucene.analysis.id.IndonesianAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.lt.LithuanianAnalyzer;
import org.apache.lucene.analysis.lv.LatvianAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.no.NorwegianAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.ro.RomanianAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.sr.SerbianAnalyzer;
import org.apache.lucene.analysis.sv.SwedishAnalyzer;
import org.apache.lucene.analysis.th.ThaiAnalyzer;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Lucene's language analyzers, registered under the names Elasticsearch's built-in ones have.
 *
 * <p>Why this exists: the local stack runs the "integ-test-zip" Elasticsearch distribution from
 * Maven Central, which ships without the analysis-common module, so analyzers such as "english",
 * "turkish" or "arabic" are unknown there and an index template using them is rejected. This plugin
 * fills that gap for the local node only. The official Elasticsearch image has these names built in
 * and must not get this plugin (the names would clash), so one template works on both.
 *
 * <p>Each name maps to the Lucene analyzer with its default stopwords and stemmer. Analyzer settings
 * ({@code stopwords}, {@code stem_exclusion}, ...) are ignored: refer to the analyzers by name only.
 *
 * <p>It also registers the four analysis parts Elasticsearch's own security index asks for (its
 * "email" analyzer: the {@code uax_url_email} tokenizer, the {@code pattern_capture},
 * {@code lowercase} and {@code unique} filters), so the secured local stack can store roles and
 * API keys. {@code unique} drops a token already seen in the stream, as Elasticsearch's does.
 */
public class WirestreamAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        analyzers.put("arabic", provider(ArabicAnalyzer::new));
        analyzers.put("armenian", provider(ArmenianAnalyzer::new));
        analyzers.put("basque", provider(BasqueAnalyzer::new));
        analyzers.put("bengali", provider(BengaliAnalyzer::new));
        analyzers.put("brazilian", provider(BrazilianAnalyzer::new));
        analyzers.put("bulgarian", provider(BulgarianAnalyzer::new));
        analyzers.put("catalan", provider(CatalanAnalyzer::new));
        analyzers.put("cjk", provider(CJKAnalyzer::new));
        analyzers.put("czech", provider(CzechAnalyzer::new));
        analyzers.put("danish", provider(DanishAnalyzer::new));
        analyzers.put("dutch", provider(DutchAnalyzer::new));
        analyzers.put("english", provider(EnglishAnalyzer::new));
        analyzers.put("estonian", provider(EstonianAnalyzer::new));
        analyzers.put("finnish", provider(FinnishAnalyzer::new));
        analyzers.put("french", provider(FrenchAnalyzer::new));
        analyzers.put("galician", provider(GalicianAnalyzer::new));
        analyzers.put("german", provider(GermanAnalyzer::new));
        analyzers.put("greek", provider(GreekAnalyzer::new));
        analyzers.put("hindi", provider(HindiAnalyzer::new));
        analyzers.put("hungarian", provider(HungarianAnalyzer::new));
        analyzers.put("indonesian", provider(IndonesianAnalyzer::new));
        analyzers.put("irish", provider(IrishAnalyzer::new));
        analyzers.put("italian", provider(ItalianAnalyzer::new));
        analyzers.put("latvian", provider(LatvianAnalyzer::new));
        analyzers.put("lithuanian", provider(LithuanianAnalyzer::new));
        analyzers.put("norwegian", provider(NorwegianAnalyzer::new));
        analyzers.put("persian", provider(PersianAnalyzer::new));
        analyzers.put("portuguese", provider(PortugueseAnalyzer::new));
        analyzers.put("romanian", provider(RomanianAnalyzer::new));
        analyzers.put("russian", provider(RussianAnalyzer::new));
        analyzers.put("serbian", provider(SerbianAnalyzer::new));
        analyzers.put("sorani", provider(SoraniAnalyzer::new));
        analyzers.put("spanish", provider(SpanishAnalyzer::new));
        analyzers.put("swedish", provider(SwedishAnalyzer::new));
        analyzers.put("thai", provider(ThaiAnalyzer::new));
        analyzers.put("turkish", provider(TurkishAnalyzer::new));
        return analyzers;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "uax_url_email",
            (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, UAX29URLEmailTokenizer::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "lowercase",
            (indexSettings, environment, name, settings) -> filter(name, LowerCaseFilter::new),
            "unique",
            (indexSettings, environment, name, settings) -> filter(name, UniqueFilter::new),
            "pattern_capture",
            (indexSettings, environment, name, settings) -> {
                boolean original = settings.getAsBoolean("preserve_original", true);
                Pattern[] patterns = settings.getAsList("patterns").stream().map(Pattern::compile).toArray(Pattern[]::new);
                return filter(name, input -> new PatternCaptureGroupTokenFilter(input, original, patterns));
            }
        );
    }

    private static TokenFilterFactory filter(String name, java.util.function.UnaryOperator<TokenStream> wrap) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream input) {
                return wrap.apply(input);
            }
        };
    }

    /** Keeps the first occurrence of each term in the stream. */
    private static final class UniqueFilter extends FilteringTokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueFilter(TokenStream input) {
            super(input);
        }

        @Override
        protected boolean accept() {
            if (seen.contains(term.buffer(), 0, term.length())) {
                return false;
            }
            char[] copy = new char[term.length()];
            System.arraycopy(term.buffer(), 0, copy, 0, term.length());
            seen.add(copy);
            return true;
        }

        @Override
        public void reset() throws java.io.IOException {
            super.reset();
            seen.clear();
        }
    }

    /** Elasticsearch asks the provider for an analyzer per index (and once for the _analyze API). */
    private static AnalysisProvider<AnalyzerProvider<? extends Analyzer>> provider(Supplier<Analyzer> lucene) {
        return (indexSettings, environment, name, settings) -> new LuceneAnalyzer(name, settings, lucene.get());
    }

    /** Hands one ready-made Lucene analyzer to Elasticsearch. */
    private static final class LuceneAnalyzer extends AbstractIndexAnalyzerProvider<Analyzer> {
        private final Analyzer analyzer;

        LuceneAnalyzer(String name, Settings settings, Analyzer analyzer) {
            super(name, settings);
            this.analyzer = analyzer;
        }

        @Override
        public Analyzer get() {
            return analyzer;
        }
    }
}
