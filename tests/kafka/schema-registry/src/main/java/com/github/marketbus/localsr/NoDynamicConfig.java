package com.github.marketbus.localsr;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.ArrayList;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/**
 * Stands in for the bean that the Quarkus extension apicurio-common-app-components-config-index
 * makes at build time. Maven Central does not serve that extension's deployment artifact here, so
 * the extension is excluded (see pom.xml) and the registry runs with no runtime-editable settings.
 */
@ApplicationScoped
public class NoDynamicConfig {
    @Produces
    @ApplicationScoped
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
