package io.wirestream.analysis;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
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
