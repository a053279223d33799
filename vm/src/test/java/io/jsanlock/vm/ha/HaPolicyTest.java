package io.jsanlock.vm.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.domain.DomainXml;
import org.junit.jupiter.api.Test;

class HaPolicyTest {
    static final String XML = "<domain type='kvm'>\n  <name>vm1</name>\n  <uuid>8f4c3f43-7a0b-4b59-9e2c-2b1d1c7b9a01</uuid>\n"
            + "  <memory>1024</memory>\n</domain>\n";

    @Test
    void aDomainWithoutMetadataHasNoPolicy() throws VirError {
        assertThat(HaPolicy.of(XML)).isEqualTo(HaPolicy.NONE);
    }

    @Test
    void thePolicyIsStoredInTheDefinitionsMetadataAndReadBack() throws VirError {
        String xml = new HaPolicy(true, 7).applyTo(XML);
        assertThat(xml).contains("<metadata><jvirsh:ha xmlns:jvirsh=\"https://jsanlock.io/xmlns/jvirsh/ha/1\" enabled=\"yes\""
                + " priority=\"7\"/></metadata>");
        assertThat(HaPolicy.of(xml)).isEqualTo(new HaPolicy(true, 7));
        assertThat(DomainXml.parse(xml).name()).isEqualTo("vm1");
        String off = new HaPolicy(false, 7).applyTo(xml);
        assertThat(HaPolicy.of(off)).isEqualTo(new HaPolicy(false, 7));
        assertThat(off.indexOf("jvirsh:ha")).isEqualTo(off.lastIndexOf("jvirsh:ha"));
        assertThat(HaPolicy.NONE.applyTo(off)).doesNotContain("metadata");
    }

    @Test
    void otherMetadataIsKept() throws VirError {
        String xml = XML.replace("<memory>", "<metadata><app:x xmlns:app='urn:app'/></metadata>\n  <memory>");
        String on = new HaPolicy(true, 5).applyTo(xml);
        assertThat(on).contains("<app:x").contains("jvirsh:ha");
        assertThat(HaPolicy.NONE.applyTo(on)).contains("<metadata><app:x").doesNotContain("jvirsh:ha");
    }

    @Test
    void badValuesAreXmlErrors() {
        assertThatThrownBy(() -> HaPolicy.of(XML.replace("<memory>",
                "<metadata><jvirsh:ha xmlns:jvirsh='x' enabled='maybe'/></metadata><memory>")))
                .hasMessage("XML error: Invalid value for attribute 'enabled' in element 'jvirsh:ha': 'maybe'. Expected 'yes' or 'no'");
        assertThatThrownBy(() -> HaPolicy.of(XML.replace("<memory>",
                "<metadata><jvirsh:ha xmlns:jvirsh='x' enabled='yes' priority='11'/></metadata><memory>")))
                .hasMessage("XML error: Invalid value for attribute 'priority' in element 'jvirsh:ha': '11'. Expected an integer 0..10");
    }
}
